import Foundation
import TestSupport
import Testing

/// The seeded mutation fuzz harness (`scripts/fuzz.py`) on a fixed seed and count: every
/// parser and numeric option, mutated — no crash, no hang, exit 0 or 2 (3 only for the
/// machine or the run store), one clean error line. docs/fuzzing.md says how to run it longer.
@Suite struct FuzzTests {
    static let seed = 20_261_206
    static let count = 600

    @Test func aFixedSeedOfMutatedInputsFindsNothing() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        // A hang: an input still running after 300 s (a bound for a stuck process, not a
        // measure of speed: inputs usually end in well under a second).
        process.arguments = ["python3", TestPaths.repositoryRoot.appendingPathComponent("scripts/fuzz.py").path,
                             "--binary", CommandRunner.executable.path, "--seed", "\(Self.seed)", "--count", "\(Self.count)",
                             "--timeout-seconds", "300"]
        var environment = ProcessInfo.processInfo.environment
        // Its sandboxes take uids of their own, apart from concurrent tests'.
        environment["SIM_CASCADE_SANDBOX_UIDS"] = SandboxUIDs().description
        process.environment = environment
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let report = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let progress = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(report)\n\(progress.suffix(2000))")
        #expect(report.contains("total") && report.contains("\(Self.count)"), "\(report)")
    }
}
