import Foundation
import TestSupport
import Testing

extension CandidateSandboxTests {
    /// One writer per run folder, and a store changed outside sim-cascade found by every reader.
    @Suite struct RunFolder {
        private func evolve(_ arguments: [String]) throws -> CommandResult {
            var environment = ProcessInfo.processInfo.environment
            environment["SIM_CASCADE_CACHE"] = CandidateFixtures.cache.path
            return try CommandRunner.run(["evolve", "--problem", "txn", "--no-rescore", "--workers", "1"] + arguments,
                                         environment: environment)
        }

        private func dump(_ run: URL) throws -> CommandResult { try CommandRunner.run(["runs", "dump", run.path]) }

        /// Two fresh starts in one folder at the same instant: one runs, the other is refused
        /// (by the lock, or — had the first already finished — because the folder holds a run),
        /// and the store is whole.
        @Test func twoStartsAtOnceLeaveOneWholeStore() throws {
            let run = try TestPaths.temporaryDirectory().appendingPathComponent("run")
            let results = runTogether { _ in try evolve(["--iterations", "2", "--run", run.path]) }
            let statuses = results.map { $0?.status }.sorted { ($0 ?? -1) < ($1 ?? -1) }
            #expect(statuses.first == 0, "\(results.map { $0?.stderr ?? "" })")
            let refused = try #require(results.first { $0?.status != 0 } ?? nil)
            #expect([2, 3].contains(refused.status))
            let errors = refused.stderr.split(separator: "\n").filter { $0.hasPrefix("error:") }
            #expect(errors.count == 1 && (errors[0].contains("holds this run folder") || errors[0].contains("already holds a run")),
                    "\(refused.stderr)")
            let show = try CommandRunner.run(["runs", "show", run.path, "--json"])
            let iterations = try show.json()["iterations"] as? Int
            #expect(show.status == 0 && iterations == 2, "\(show.stderr)")
        }

        /// While a process holds the folder, a resume, a fresh start and a second resume are
        /// refused at once with the holder's pid (exit 3), the store is unchanged, and the
        /// read-only commands still work.
        @Test func aHeldFolderRefusesEveryOtherWriterAndStillReads() throws {
            let run = try TestPaths.temporaryDirectory().appendingPathComponent("run")
            #expect(try evolve(["--iterations", "1", "--run", run.path]).status == 0)
            let before = try dump(run).stdout
            let holder = try LockHolder(run.appendingPathComponent("evolve.lock"))
            defer { holder.stop() }
            for arguments in [["--iterations", "2", "--run", run.path, "--resume"], ["--iterations", "2", "--run", run.path],
                              ["--iterations", "3", "--run", run.path, "--resume"]] {
                let result = try evolve(arguments)
                #expect(result.status == 3, "\(arguments): \(result.stderr)")
                #expect(result.stderr == "error: \(run.path): another evolve (pid \(holder.pid)) holds this run folder; "
                        + "wait for it to end or choose another --run\n")
            }
            #expect(try dump(run).stdout == before)
            #expect(try CommandRunner.run(["runs", "show", run.path]).status == 0)
            #expect(try CommandRunner.run(["runs", "verify", run.path]).status == 0)
            holder.stop()
            #expect(try evolve(["--iterations", "2", "--run", run.path, "--resume"]).status == 0)
        }

        /// One byte changed inside a program's text — which SQLite's own checks accept — stops
        /// `runs show`, `runs dump` and `--resume` with one line naming the row (exit 3).
        @Test func aByteChangedInAProgramIsFoundByEveryReader() throws {
            let run = try TestPaths.temporaryDirectory().appendingPathComponent("run")
            #expect(try evolve(["--iterations", "1", "--run", run.path]).status == 0)
            let store = run.appendingPathComponent("store.sqlite")
            var bytes = try Data(contentsOf: store)
            let at = try #require(bytes.range(of: Data("EVOLVE-BLOCK-START".utf8))).lowerBound
            bytes[at + 2] ^= 0x01  // 'O' → 'N'
            try bytes.write(to: store)
            for arguments in [["runs", "show", run.path], ["runs", "dump", run.path], ["runs", "verify", run.path]] {
                let result = try CommandRunner.run(arguments)
                #expect(result.status == 3, "\(arguments): \(result.stderr)")
                let lines = result.stderr.split(separator: "\n")
                #expect(lines.count == 1 && lines[0].contains("programs row 1 does not match"), "\(result.stderr)")
            }
            let resumed = try evolve(["--iterations", "2", "--run", run.path, "--resume"])
            #expect(resumed.status == 3 && resumed.stderr.contains("programs row 1 does not match"), "\(resumed.stderr)")
        }

        /// A start refused after it made its default folder (`runs/PROBLEM-TIME`) removes what it
        /// made, `runs/` included: nothing is left in the working directory.
        @Test func aRefusedStartLeavesNoFolderBehind() throws {
            let folder = try TestPaths.temporaryDirectory()
            let result = try CommandRunner.run(["evolve", "--generator", "openai"], in: folder)
            #expect(result.status == 2 && result.stderr.contains("--config"), "\(result.stderr)")
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == [])
        }

        /// What the file system refuses is the machine's problem: one line naming the path,
        /// exit 3, no pointer to `help`.
        @Test func storeAndFolderErrorsNameThePathAndExitThree() throws {
            // A folder that cannot be made (even by root).
            let unwritable = "/proc/sim-cascade-test-\(getpid())/run"  // named: its first missing folder
            let made = try evolve(["--iterations", "1", "--run", unwritable])
            #expect(made.status == 3 && made.stderr.split(separator: "\n").count == 1 && made.stderr.contains("/proc/sim-cascade-test-")
                    && !made.stderr.contains("help"), "\(made.stderr)")
            // A file where the folder should be is the input's fault (exit 2).
            let file = try TestPaths.temporaryDirectory().appendingPathComponent("file")
            try Data("x".utf8).write(to: file)
            let notFolder = try evolve(["--iterations", "1", "--run", file.path])
            #expect(notFolder.status == 2 && notFolder.stderr.contains("not a folder"), "\(notFolder.stderr)")
            // A store.sqlite that is not a store.
            let run = try TestPaths.temporaryDirectory().appendingPathComponent("run")
            try FileManager.default.createDirectory(at: run, withIntermediateDirectories: true)
            try Data(repeating: 0x41, count: 4096).write(to: run.appendingPathComponent("store.sqlite"))
            for arguments in [["runs", "show", run.path], ["runs", "verify", run.path]] {
                let result = try CommandRunner.run(arguments)
                #expect(result.status == 3 && result.stderr.split(separator: "\n").count == 1
                        && result.stderr.contains(run.appendingPathComponent("store.sqlite").path) && result.stderr.contains("not a store")
                        && !result.stderr.contains("help"), "\(arguments): \(result.stderr)")
            }
            let resumed = try evolve(["--iterations", "1", "--run", run.path, "--resume"])
            #expect(resumed.status == 3 && resumed.stderr.contains("not a store"), "\(resumed.stderr)")
        }
    }
}

/// A child process that takes a folder's lock and holds it until stopped (flock, as evolve does).
private final class LockHolder {
    let process = Process()
    var pid: Int32 { process.processIdentifier }

    init(_ lockFile: URL) throws {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/flock")
        // flock(1) takes the lock and execs its command (--no-fork), which writes its pid as evolve does.
        process.arguments = ["--nonblock", "--no-fork", lockFile.path, "/bin/sh", "-c", "echo $$ > \"$0\"; exec sleep 600", lockFile.path]
        let ready = Pipe()
        process.standardOutput = ready
        try process.run()
        // Wait until the pid is in the file, so the refusal can name it.
        for _ in 0..<1000 where (try? String(contentsOf: lockFile, encoding: .utf8)) != "\(pid)\n" { usleep(10_000) }
    }

    /// SIGKILL: the test runner's children may inherit an ignored SIGTERM.
    func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}
