import Foundation
import SimCore

/// The driver's end of the Python executor: one child process speaking JSON lines, many
/// evaluations in flight (the loop's workers call `run` from their threads). A request is
/// self-contained (source, gates file, `eval` options); an answer is the `eval --json` report or
/// an infrastructure error, which is thrown (`CascadeError.executor`, exit 3) and never stored as
/// the candidate's.
public final class RemoteExecutor: @unchecked Sendable {
    private let process = Process()
    private let input: FileHandle
    private let condition = NSCondition()
    /// Held while a request is written (never with `condition`: the reader takes that one).
    private let writeLock = NSLock()
    private var answers: [Int: Answer] = [:]
    private var nextID = 0
    /// Set when the child ended or spoke out of protocol: every waiting and later call fails.
    private var broken: String?
    /// What the executor said when it was ready (backend, nodes, CPUs).
    public private(set) var ready: String = ""

    struct Answer: Decodable {
        var id: Int?
        var report: RemoteReport?
        var error: String?
        var fatal: String?
    }

    /// Starts the executor and waits for its first line.
    /// - Parameters:
    ///   - binary: this process's `sim-cascade` (workers check their build against it).
    ///   - python: the interpreter (`$SIM_CASCADE_PYTHON`, else `python3`).
    ///   - pythonPath: a folder to put first on `PYTHONPATH` (the checkout's `python/`), if any.
    /// - Throws: `CascadeError.executor` when it cannot start or says it cannot run.
    public init(_ choice: ExecutorChoice, binary: URL, workers: Int, python: String, pythonPath: URL?) throws {
        var arguments = ["-m", "sim_cascade.executor", "--binary", binary.path, "--workers", "\(workers)"]
        switch choice {
        case .local: throw CascadeError.executor("the local executor runs in process")
        case .subprocess: arguments += ["--backend", "subprocess"]
        case .ray(let address): arguments += ["--backend", "ray"] + (address.map { ["--address", $0] } ?? [])
        }
        var environment = ProcessInfo.processInfo.environment
        if let pythonPath {
            environment["PYTHONPATH"] = ([pythonPath.path] + (environment["PYTHONPATH"].map { [$0] } ?? [])).joined(separator: ":")
        }
        // An executor that died must surface as EPIPE on the next request (exit 3), not kill
        // this process with SIGPIPE.
        signal(SIGPIPE, SIG_IGN)
        let stdin = Pipe(), stdout = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [python] + arguments
        process.environment = environment
        process.standardInput = stdin
        process.standardOutput = stdout
        input = stdin.fileHandleForWriting
        do {
            try process.run()
        } catch {
            throw CascadeError.executor("cannot start \(python) -m sim_cascade.executor: \(error.localizedDescription)")
        }
        let output = stdout.fileHandleForReading
        Thread.detachNewThread { [self] in readAnswers(output) }
        condition.lock()
        defer { condition.unlock() }
        while ready.isEmpty && broken == nil { condition.wait() }
        if let broken {
            process.waitUntilExit()
            throw CascadeError.executor(broken)
        }
    }

    /// The executor of this process's own `sim-cascade`: `$SIM_CASCADE_PYTHON` (else `python3`)
    /// runs it, with the checkout's `python/` first on its path when there is one.
    /// - Throws: `CascadeError.executor` when it cannot start.
    public static func start(_ choice: ExecutorChoice, workers: Int, catalog: InputCatalog) throws -> RemoteExecutor {
        try RemoteExecutor(choice, binary: URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath(), workers: workers,
                           python: ProcessInfo.processInfo.environment["SIM_CASCADE_PYTHON"] ?? "python3",
                           pythonPath: try? catalog.packageFile("python"))
    }

    deinit { close() }

    /// Closes the executor's input (it cancels what it still runs and ends) and waits for it.
    public func close() {
        try? input.close()
        if process.isRunning { process.waitUntilExit() }
    }

    /// Runs one evaluation; blocks until its answer.
    /// - Throws: `CascadeError.executor` for an infrastructure failure.
    /// - Parameter gates: the gates, budgets and levels, sent as a gates file's text.
    public func run(problem: String, source: String, gates: GatesFile, arguments: [String], timeout: Double) throws -> RemoteReport {
        condition.lock()
        let id = nextID
        nextID += 1
        condition.unlock()
        struct Request: Encodable {
            var id: Int
            var problem: String
            var source: String
            var gates_json: String
            var args: [String]
            var timeout: Double
        }
        var line = try JSONEncoder().encode(Request(id: id, problem: problem, source: source,
                                                           gates_json: String(decoding: try gates.encoded(), as: UTF8.self),
                                                           args: arguments, timeout: timeout))
        line.append(UInt8(ascii: "\n"))
        writeLock.lock()
        do {
            try input.write(contentsOf: line)
            writeLock.unlock()
        } catch {
            writeLock.unlock()
            throw CascadeError.executor("the executor stopped reading: \(error.localizedDescription)")
        }
        condition.lock()
        defer { condition.unlock() }
        while answers[id] == nil && broken == nil { condition.wait() }
        guard let answer = answers.removeValue(forKey: id) else { throw CascadeError.executor(broken ?? "no answer") }
        if let report = answer.report { return report }
        throw CascadeError.executor(answer.error ?? "an answer with neither a report nor an error")
    }

    private func readAnswers(_ output: FileHandle) {
        var buffer = Data()
        func fail(_ reason: String) {
            condition.lock()
            if broken == nil { broken = reason }
            condition.broadcast()
            condition.unlock()
        }
        while true {
            let chunk = output.availableData
            if chunk.isEmpty { break }
            buffer.append(chunk)
            while let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = buffer[buffer.startIndex..<newline]
                buffer.removeSubrange(buffer.startIndex...newline)
                guard let answer = try? JSONDecoder().decode(Answer.self, from: line) else {
                    fail("the executor printed a line that is not an answer: \(Escaped.value(String(decoding: line, as: UTF8.self)))")
                    continue
                }
                if let fatal = answer.fatal { fail(fatal); continue }
                condition.lock()
                if let id = answer.id {
                    answers[id] = answer
                } else if ready.isEmpty {
                    ready = String(decoding: line, as: UTF8.self)
                }
                condition.broadcast()
                condition.unlock()
            }
        }
        fail("the executor ended (\(process.isRunning ? "its output closed" : "status \(process.terminationStatus)"))")
    }
}

