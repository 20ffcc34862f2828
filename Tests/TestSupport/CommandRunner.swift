import Foundation

/// Runs the built `sim-cascade` executable, for end-to-end tests.
public struct CommandResult: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
    /// The uids the command's sandboxes took (see `CandidateFixtures.eval`).
    public var sandboxUIDs: SandboxUIDs?

    /// Parses stdout as one JSON object.
    public func json() throws -> [String: Any] {
        guard let object = try JSONSerialization.jsonObject(with: Data(stdout.utf8)) as? [String: Any] else {
            throw CocoaError(.coderReadCorrupt)
        }
        return object
    }
}

public enum CommandRunner {
    /// The folder holding the built products: the test bundle's own folder.
    public static var productsDirectory: URL {
        let executable = Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0])
        var dir = executable.deletingLastPathComponent()
        // On macOS the test bundle sits in `<products>/X.xctest/Contents/MacOS/`.
        while dir.pathExtension == "xctest" || dir.lastPathComponent == "MacOS" || dir.lastPathComponent == "Contents" {
            dir.deleteLastPathComponent()
        }
        return dir
    }

    public static var executable: URL { productsDirectory.appendingPathComponent("sim-cascade") }

    /// Runs `sim-cascade arguments…` in `directory` (default: the repository root), with the
    /// session's cache folder unless `environment` names one, and waits; with `killAfter`, sends it SIGKILL that many seconds after the start if it still runs.
    /// `input`: what the child reads on its standard input (else it inherits this process's).
    /// `through`: a program and its arguments that run sim-cascade as their own child (e.g.
    /// `["/usr/bin/timeout", "600"]`).
    public static func run(_ arguments: [String], in directory: URL = TestPaths.repositoryRoot,
                           environment: [String: String]? = nil, killAfter: Double? = nil, through wrapper: [String] = [],
                           input: String? = nil) throws -> CommandResult {
        let process = Process()
        process.executableURL = wrapper.first.map { URL(fileURLWithPath: $0) } ?? executable
        process.arguments = wrapper.dropFirst() + (wrapper.isEmpty ? [] : [executable.path]) + arguments
        process.currentDirectoryURL = directory
        // The session's cache unless the test names one: generated research inputs (and any
        // compile) go to a folder removed when the tests end, never to the user's ~/.cache.
        var environment = environment ?? ProcessInfo.processInfo.environment
        if environment["SIM_CASCADE_CACHE"] == nil { environment["SIM_CASCADE_CACHE"] = CandidateFixtures.cache.path }
        process.environment = environment
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let stdin = input.map { _ in Pipe() }
        if let stdin { process.standardInput = stdin }
        try process.run()
        if let stdin, let input {
            // From a thread of its own: a child that answers as it reads must not block on its output.
            Thread.detachNewThread {
                try? stdin.fileHandleForWriting.write(contentsOf: Data(input.utf8))
                try? stdin.fileHandleForWriting.close()
            }
        }
        if let killAfter {
            let pid = process.processIdentifier
            Thread.detachNewThread {
                usleep(UInt32(killAfter * 1_000_000))
                kill(pid, SIGKILL)  // the pid is not reaped (and so not reused) before `waitUntilExit`
            }
        }
        // Read both pipes before waiting so a large output cannot block the child.
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return CommandResult(status: process.terminationStatus,
                             stdout: String(decoding: outData, as: UTF8.self),
                             stderr: String(decoding: errData, as: UTF8.self))
    }
}

/// Runs `body(0)` and `body(1)` on two threads at once — two processes started together even on
/// one CPU — and returns both results (nil where a run threw).
public func runTogether(_ body: @escaping @Sendable (Int) throws -> CommandResult) -> [CommandResult?] {
    final class Slots: @unchecked Sendable {
        let lock = NSLock()
        var results: [CommandResult?] = [nil, nil]
    }
    let slots = Slots(), done = DispatchGroup()
    for k in 0..<2 {
        done.enter()
        Thread.detachNewThread {
            let result = try? body(k)
            slots.lock.withLock { slots.results[k] = result }
            done.leave()
        }
    }
    done.wait()
    return slots.lock.withLock { slots.results }
}

extension TestPaths {
    /// The built-in ggr's hit characters on each small committed prefix table (what an eval with
    /// `--inputs small` runs on), in name order.
    public static func smallPrefixTablesUnderGGR() throws -> [Int?] {
        try ["products.csv", "tickets.csv"].map { name in
            let path = repositoryRoot.appendingPathComponent("traces/prefix/\(name)").path
            return try CommandRunner.run(["simulate", "prefix", "--table", path, "--policy", "ggr", "--json"]).json()["hit_chars"] as? Int
        }
    }
}
