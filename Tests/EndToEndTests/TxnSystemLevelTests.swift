import Foundation
import TestSupport
import Testing

extension CandidateSandboxTests {
    /// The txn `system` level through the command line: a PostgreSQL server each `sim-cascade`
    /// process starts on a unix socket of its own (CI installs the programs; nothing else is
    /// started for the tests). One run per schedule (`SIM_CASCADE_PG_RUNS=1`) on two small
    /// workloads keeps each test to seconds.
    @Suite struct TxnSystemLevel {
        /// Two workloads of 24 transactions on 10 keys, in the public workloads' format.
        static func smallWorkloads() throws -> URL {
            var file: [String: [String: String]] = [:]
            for w in 0..<2 {
                var transactions: [String: String] = [:]
                for t in 0..<24 {
                    transactions["txn\(t)"] = (0..<(2 + (t + w) % 3)).map { o in
                        o == 1 && t % 4 == 0 ? "*" : "\((t + o) % 3 == 0 ? "w" : "r")-\((t * 7 + o * 3 + w) % 10)"
                    }.joined(separator: " ")
                }
                file["SMALL_\(w)"] = transactions
            }
            let url = try TestPaths.temporaryDirectory().appendingPathComponent("small.json")
            try JSONSerialization.data(withJSONObject: file).write(to: url)
            return url
        }

        static var environment: [String: String] {
            var environment = ProcessInfo.processInfo.environment
            environment["SIM_CASCADE_CACHE"] = CandidateFixtures.cache.path
            environment["SIM_CASCADE_PG_RUNS"] = "1"
            return environment
        }

        static func eval(_ arguments: [String], environment: [String: String] = environment) throws -> CommandResult {
            try CommandRunner.run(["eval", try CandidateFixtures.template("txn").path, "--problem", "txn", "--json"] + arguments,
                                  environment: environment)
        }

        @Test func evalRunsTheSystemLevelOnlyWhenAskedAndScoresFromIt() throws {
            let input = try Self.smallWorkloads().path
            let alone = try Self.eval(["--level", "system", "--input", input])
            #expect(alone.status == 0, "\(alone.stderr)")
            let json = try alone.json()
            #expect(json["valid"] as? Bool == true)
            let stage = try #require((json["stages"] as? [[String: Any]])?.first)
            #expect(stage["level"] as? String == "system" && stage["status"] as? String == "passed")
            let metrics = try #require(stage["metrics"] as? [String: Double])
            #expect(metrics.keys.sorted() == ["system_aborts", "system_latency_p50", "system_latency_p99", "system_makespan",
                                              "system_makespan_spread", "system_throughput"])
            #expect((metrics["system_makespan"] ?? 0) > 0 && json["total_system_makespan"] as? Double == metrics["system_makespan"])
            let workloads = try #require(json["workloads"] as? [String: [String: Any]])
            #expect(workloads.count == 2 && workloads.values.allSatisfy { ($0["system_makespan_runs"] as? [Double])?.count == 1 })

            // Every level: the three models, then the system; the score is the system's.
            let all = try Self.eval(["--all-levels", "--input", input]).json()
            #expect((all["stages"] as? [[String: Any]])?.map { $0["level"] as? String } == ["cost_model", "coarse", "fine", "system"])
            #expect(all["valid"] as? Bool == true && all["total_system_makespan"] is Double)

            // Gates that name no levels: the default cascade, which leaves the system level out.
            let gates = try TestPaths.temporaryDirectory().appendingPathComponent("gates.json")
            try Data(#"{"gates": []}"#.utf8).write(to: gates)
            let standard = try Self.eval(["--gates", gates.path, "--input", input]).json()
            #expect((standard["stages"] as? [[String: Any]])?.map { $0["level"] as? String } == ["cost_model", "coarse", "fine"])
            #expect(standard["total_system_makespan"] == nil)
        }

        @Test func withoutPostgresTheSystemLevelIsAnEnvironmentErrorAndTheModelsStillWork() throws {
            let input = try Self.smallWorkloads().path
            var environment = Self.environment
            environment["SIM_CASCADE_PG_BIN"] = "/nonexistent"
            let system = try Self.eval(["--level", "system", "--input", input], environment: environment)
            #expect(system.status == 3)
            #expect(system.stderr.contains("install-deps.sh") && system.stderr.split(separator: "\n").count == 1, "\(system.stderr)")
            let fine = try Self.eval(["--level", "fine", "--input", input], environment: environment)
            #expect(fine.status == 0, "\(fine.stderr)")
            #expect(try fine.json()["valid"] as? Bool == true)
            let simulate = try CommandRunner.run(["simulate", "txn", "--engine", "postgres", "--workloads", input], environment: environment)
            #expect(simulate.status == 3 && simulate.stderr.contains("install-deps.sh"))
            // Bad settings are the user's: exit 2.
            environment = Self.environment
            environment["SIM_CASCADE_PG_RUNS"] = "0"
            #expect(try Self.eval(["--level", "system", "--input", input], environment: environment).status == 2)
            #expect(try Self.eval(["--level", "fine", "--input", input], environment: environment).status == 0)
        }

        @Test func simulateRunsTheBuiltInPoliciesOnPostgres() throws {
            let input = try Self.smallWorkloads().path
            let result = try CommandRunner.run(["simulate", "txn", "--engine", "postgres", "--policy", "smf", "--runs", "2",
                                                "--workloads", input, "--json"], environment: Self.environment)
            #expect(result.status == 0, "\(result.stderr)")
            let json = try result.json()
            #expect(json["engine"] as? String == "postgres")
            let workloads = try #require(json["workloads"] as? [String: [String: Any]])
            #expect(workloads.values.allSatisfy { ($0["system_makespan_runs"] as? [Double])?.count == 2 && $0["system_makespan"] is Double })
            let model = try CommandRunner.run(["simulate", "txn", "--policy", "smf", "--workloads", input, "--json"]).json()
            #expect(json["total_makespan"] as? Int == model["total_makespan"] as? Int)
            #expect(try CommandRunner.run(["simulate", "txn", "--runs", "2", "--workloads", input]).status == 2)
        }

        @Test func calibrateMeasuresEveryModelAgainstTheSystemLevel() throws {
            let input = try Self.smallWorkloads().path
            let out = try TestPaths.temporaryDirectory().appendingPathComponent("reports")
            let result = try CommandRunner.run(["calibrate", "--problem", "txn", "--pool", "6", "--input", input, "--held-out", input,
                                                "--out", out.path], environment: Self.environment)
            #expect(result.status == 0, "\(result.stderr)")
            let report = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("txn.json"))) as! [String: Any]
            #expect(report["target_level"] as? String == "system" && report["metric"] as? String == "system_makespan")
            let levels = try #require(report["levels"] as? [[String: Any]])
            #expect(levels.map { $0["level"] as? String } == ["cost_model", "coarse", "fine", "system"])
            #expect(levels.prefix(3).allSatisfy { $0["spearman_all"] is [String: Any] })
            let markdown = try String(contentsOf: out.appendingPathComponent("txn.md"), encoding: .utf8)
            #expect(markdown.contains("with the system level's value") && markdown.contains("PostgreSQL"))
        }

        @Test func evolveRanksByTheSystemLevelOnlyWhenItsGatesFileEndsThere() throws {
            let folder = try TestPaths.temporaryDirectory()
            let gates = folder.appendingPathComponent("gates.json")
            try Data(#"{"gates": [], "cascade_levels": ["fine", "system"]}"#.utf8).write(to: gates)
            var environment = Self.environment
            environment["SIM_CASCADE_PG_WORK_US"] = "0"
            let run = folder.appendingPathComponent("run")
            let result = try CommandRunner.run(["evolve", "--problem", "txn", "--iterations", "1", "--gates", gates.path, "--no-rescore",
                                                "--workers", "1", "--inputs", "small", "--run", run.path, "--json"], environment: environment)
            #expect(result.status == 0, "\(result.stderr)")
            let report = try result.json()
            #expect(report["metric"] as? String == "system_makespan" && report["lower_is_better"] as? Bool == true)
            #expect((report["stage_costs"] as? [[String: Any]] ?? []).contains { $0["stage"] as? String == "system" })
            #expect((report["initial_score"] as? Double ?? 0) > 0)
            // A resume (which takes no gates file) runs the levels the run started with.
            let resumed = try CommandRunner.run(["evolve", "--iterations", "2", "--run", run.path, "--resume", "--no-rescore", "--json"],
                                                environment: environment)
            #expect(resumed.status == 0, "\(resumed.stderr)")
            #expect(try resumed.json()["metric"] as? String == "system_makespan")
        }

        /// A `simulate txn --engine postgres` long enough to be caught running, and the server it
        /// started, once that server is up.
        static func startLongRun() throws -> (Process, folder: String, postmaster: pid_t) {
            let before = Set(serverFolders())
            let process = Process()
            process.executableURL = CommandRunner.executable
            process.arguments = ["simulate", "txn", "--engine", "postgres", "--workloads", try smallWorkloads().path,
                                 "--runs", "101", "--work-us", "20000"]
            process.environment = environment
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            for _ in 0..<6000 {
                for folder in serverFolders() where !before.contains(folder) {
                    if let text = try? String(contentsOfFile: folder + "/data/postmaster.pid", encoding: .utf8),
                       let pid = text.split(separator: "\n").first.flatMap({ pid_t($0) }), kill(pid, 0) == 0,
                       // Ready: the pid file's last line is the server's status.
                       text.contains("ready") {
                        return (process, folder, pid)
                    }
                }
                usleep(10_000)
            }
            process.terminate()
            throw CocoaError(.fileNoSuchFile)
        }

        static func serverFolders() -> [String] {
            ((try? FileManager.default.contentsOfDirectory(atPath: "/tmp")) ?? [])
                .filter { $0.hasPrefix("sim-cascade-pg-") }.map { "/tmp/" + $0 }
        }

        /// Alive and not a zombie (a killed postmaster is reaped by init, not by this process).
        static func isRunning(_ pid: pid_t) -> Bool {
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else {
                return false
            }
            return stat[stat.index(close, offsetBy: 2)] != "Z"
        }

        static func waitUntilGone(_ pid: pid_t) -> Bool {
            for _ in 0..<3000 where isRunning(pid) { usleep(10_000) }
            return !isRunning(pid)
        }

        @Test func aKilledRunsServerIsStoppedByTheNextStartAndATerminatedRunStopsItsOwn() throws {
            // SIGKILL: nothing of the process runs; its server is left, until the next start.
            let (killed, leftFolder, left) = try Self.startLongRun()
            kill(killed.processIdentifier, SIGKILL)
            killed.waitUntilExit()
            #expect(Self.isRunning(left))
            let next = try CommandRunner.run(["simulate", "txn", "--engine", "postgres", "--workloads", try Self.smallWorkloads().path],
                                             environment: Self.environment)
            #expect(next.status == 0, "\(next.stderr)")
            #expect(Self.waitUntilGone(left) && !FileManager.default.fileExists(atPath: leftFolder))

            // SIGTERM (and SIGINT, a Ctrl-C): the process stops its server as it dies.
            let (terminated, ownFolder, own) = try Self.startLongRun()
            // Once its handler is in place (the server's start installs it): SigCgt has SIGTERM.
            var signals = ""
            for _ in 0..<3000 {
                signals = (try? String(contentsOfFile: "/proc/\(terminated.processIdentifier)/status", encoding: .utf8))?
                    .split(separator: "\n").filter { $0.hasPrefix("Sig") }.joined(separator: " ") ?? ""
                let caught = signals.split(separator: " ").last.flatMap { UInt64($0.split(separator: "\t").last ?? "", radix: 16) } ?? 0
                if caught & (1 << (UInt64(SIGTERM) - 1)) != 0 { break }
                usleep(10_000)
            }
            terminated.terminate()
            terminated.waitUntilExit()
            #expect(terminated.terminationReason == .uncaughtSignal && terminated.terminationStatus == SIGTERM, "\(signals)")
            #expect(Self.waitUntilGone(own))
            // Its folder stays for the next start's stale cleanup; this test removes it itself.
            try? FileManager.default.removeItem(atPath: ownFolder)
        }
    }
}
