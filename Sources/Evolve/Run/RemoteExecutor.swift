import Cascade
import Foundation
import SimCore

/// Where `evolve` runs its evaluations: in this process (`local`), or through the Python
/// executor (`python -m sim_cascade.executor`) — each evaluation a `sim-cascade eval --json` on
/// this machine (`subprocess`) or a Ray task on a cluster (`ray`, `ray=HOST:PORT`; without an
/// address a cluster is started on loopback).
public enum ExecutorChoice: Sendable, Equatable, CustomStringConvertible {
    case local
    case subprocess
    case ray(address: String?)

    /// - Returns: `nil` for anything but `local`, `subprocess`, `ray` or `ray=ADDRESS`.
    public init?(_ text: String) {
        switch text {
        case "local": self = .local
        case "subprocess": self = .subprocess
        case "ray": self = .ray(address: nil)
        default:
            guard text.hasPrefix("ray="), text.count > 4 else { return nil }
            self = .ray(address: String(text.dropFirst(4)))
        }
    }

    public var description: String {
        switch self {
        case .local: return "local"
        case .subprocess: return "subprocess"
        case .ray(let address): return address.map { "ray=\($0)" } ?? "ray"
        }
    }
}

/// The driver's end of the Python executor: one child process speaking JSON lines, many
/// evaluations in flight (the loop's workers call `run` from their threads). A request is
/// self-contained (source, gates file, `eval` options); an answer is the `eval --json` report or
/// an infrastructure error, which is thrown (`EvolveError.executor`, exit 3) and never stored as
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
    /// - Throws: `EvolveError.executor` when it cannot start or says it cannot run.
    public init(_ choice: ExecutorChoice, binary: URL, workers: Int, python: String, pythonPath: URL?) throws {
        var arguments = ["-m", "sim_cascade.executor", "--binary", binary.path, "--workers", "\(workers)"]
        switch choice {
        case .local: throw EvolveError.executor("the local executor runs in process")
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
            throw EvolveError.executor("cannot start \(python) -m sim_cascade.executor: \(error.localizedDescription)")
        }
        let output = stdout.fileHandleForReading
        Thread.detachNewThread { [self] in readAnswers(output) }
        condition.lock()
        defer { condition.unlock() }
        while ready.isEmpty && broken == nil { condition.wait() }
        if let broken {
            process.waitUntilExit()
            throw EvolveError.executor(broken)
        }
    }

    deinit { close() }

    /// Closes the executor's input (it cancels what it still runs and ends) and waits for it.
    public func close() {
        try? input.close()
        if process.isRunning { process.waitUntilExit() }
    }

    /// Runs one evaluation; blocks until its answer.
    /// - Throws: `EvolveError.executor` for an infrastructure failure.
    func run(problem: String, source: String, gates: String, arguments: [String], timeout: Double) throws -> RemoteReport {
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
        var line = try JSONEncoder().encode(Request(id: id, problem: problem, source: source, gates_json: gates, args: arguments, timeout: timeout))
        line.append(UInt8(ascii: "\n"))
        writeLock.lock()
        do {
            try input.write(contentsOf: line)
            writeLock.unlock()
        } catch {
            writeLock.unlock()
            throw EvolveError.executor("the executor stopped reading: \(error.localizedDescription)")
        }
        condition.lock()
        defer { condition.unlock() }
        while answers[id] == nil && broken == nil { condition.wait() }
        guard let answer = answers.removeValue(forKey: id) else { throw EvolveError.executor(broken ?? "no answer") }
        if let report = answer.report { return report }
        throw EvolveError.executor(answer.error ?? "an answer with neither a report nor an error")
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

/// A run's evaluations through a `RemoteExecutor`: each child is one request with the run's
/// gates, budgets and levels spelled out and its gate references; a sampled stopped child's
/// counterfactual a second, ungated one — the store is what the local executor writes.
public struct RemoteEvaluation: Sendable {
    public var executor: RemoteExecutor
    public var evaluation: CascadeEvaluation
    public var gates: GatesFile
    /// `eval` options naming the run's inputs (`--inputs small`, EPLB's shape).
    public var inputArguments: [String]
    /// Whether the run's levels leave out an on-demand level (so the counterfactual does).
    public var modelsOnly: Bool

    public init(executor: RemoteExecutor, evaluation: CascadeEvaluation, gates: GatesFile, inputSettings: [String: String],
                modelsOnly: Bool) {
        self.executor = executor
        self.evaluation = evaluation
        self.gates = gates
        inputArguments = inputSettings.sorted { $0.key < $1.key }.flatMap { ["--\($0.key)", $0.value] }
        self.modelsOnly = modelsOnly
    }

    /// Seconds after which a request is an infrastructure failure: every stage's budget, the
    /// compile's limit, and a minute.
    var timeout: Double {
        gates.budgets.isEmpty ? 3600 : gates.budgets.reduce(0) { $0 + $1.wallSeconds } + 120 + 60
    }

    public func evaluate(_ source: String, references: [String: Double]) throws -> EvaluatedChild {
        let problem = evaluation.problem.rawValue
        let referenceArguments = references.sorted { $0.key < $1.key }.flatMap { ["--gate-reference", "\($0.key)=\($0.value)"] }
        let common = inputArguments + ["--no-public-evaluator"]
        let report = try executor.run(problem: problem, source: source, gates: try Self.text(gates),
                                      arguments: common + referenceArguments, timeout: timeout)
        var child = evaluation.child(from: report)
        let ran = Set(report.stages.filter { $0.status != "skipped" }.map(\.level))
        if !report.stages.isEmpty, !ran.contains(evaluation.topLevel), evaluation.counterfactual.share > 0,
           evaluation.counterfactual.samples(source) {
            let ungated = GatesFile(gates: [], budgets: gates.budgets)
            let all = try executor.run(problem: problem, source: source, gates: try Self.text(ungated),
                                       arguments: common + ["--all-levels"] + (modelsOnly ? ["--models-only"] : []), timeout: timeout)
            let runLevels = Set(evaluation.cascade.levelNames)
            for s in all.stages where runLevels.contains(s.level) && !ran.contains(s.level) && s.status != "skipped" {
                child.evaluations.append(EvaluationRecord(stage: EvaluationRecord.counterfactualPrefix + s.level, status: s.status,
                                                          metrics: CascadeEvaluation.json(s.metrics), artifacts: "[]", seconds: s.seconds,
                                                          failureKind: s.failure?.kind, failureMessage: s.failure?.message))
            }
        }
        return child
    }

    static func text(_ gates: GatesFile) throws -> String { String(decoding: try gates.encoded(), as: UTF8.self) }
}
