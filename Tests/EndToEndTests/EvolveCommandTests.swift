import Foundation
import TestSupport
import Testing

extension CandidateSandboxTests {
    /// `sim-cascade evolve` end to end: a short run, its resume, and bad input.
    @Suite struct EvolveCommand {
        private func evolve(_ arguments: [String]) throws -> CommandResult {
            var environment = ProcessInfo.processInfo.environment
            environment["SIM_CASCADE_CACHE"] = CandidateFixtures.cache.path
            return try CommandRunner.run(["evolve"] + arguments, environment: environment)
        }

        @Test func aShortRunResumesWhereItStoppedAndWritesTheBest() throws {
            let folder = try TestPaths.temporaryDirectory().appendingPathComponent("run")
            let first = try evolve(["--problem", "txn", "--iterations", "2", "--seed", "5", "--run", folder.path, "--json"])
            #expect(first.status == 0, "\(first.stderr)")
            // The initial program, and one per iteration that produced a new child.
            let children = first.stderr.split(separator: "\n").filter { $0.contains(" score ") || $0.contains("stopped at") }.count
            #expect(try first.json()["programs"] as? Int == 1 + children)
            #expect(first.stderr.contains("evolve: 2/2"))
            let second = try evolve(["--iterations", "4", "--run", folder.path, "--resume", "--json"])  // the run's problem
            #expect(second.status == 0, "\(second.stderr)")
            #expect(second.stderr.contains("resuming") && second.stderr.contains("evolve: 3/4") && !second.stderr.contains("evolve: 2/4"))
            #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("best.swift").path))
            #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("store.sqlite").path))

            // runs list / show read the store.
            let show = try CommandRunner.run(["runs", "show", folder.path, "--json"])
            #expect(show.status == 0, "\(show.stderr)")
            let summary = try show.json()
            #expect(summary["problem"] as? String == "txn" && summary["iterations"] as? Int == 4)
            let list = try CommandRunner.run(["runs", "list", folder.deletingLastPathComponent().path, "--json"])
            #expect(list.status == 0 && list.stdout.contains(folder.path), "\(list.stderr)")
            #expect(try CommandRunner.run(["runs", "show", folder.appendingPathComponent("none").path]).status == 2)
        }

        @Test func badRunFoldersAreOneLineAndExitTwo() throws {
            let folder = try TestPaths.temporaryDirectory().appendingPathComponent("run")
            _ = try evolve(["--problem", "txn", "--iterations", "0", "--run", folder.path])
            for (arguments, mention) in [
                (["--resume"], "--run"),
                (["--problem", "txn", "--run", folder.path], "--resume"),
                (["--problem", "spot", "--run", folder.path, "--resume"], "another problem"),
                (["--iterations", "-1"], "--iterations"),
            ] {
                let result = try evolve(arguments)
                #expect(result.status == 2, "\(arguments): \(result.stderr)")
                #expect(result.stderr.split(separator: "\n").count == 1 && result.stderr.contains(mention), "\(result.stderr)")
            }
        }
    }
}
