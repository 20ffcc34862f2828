import Foundation
import TestSupport
import Testing

extension CandidateSandboxTests {
    /// `sim-cascade evolve` end to end: a short run, its resume, and bad input.
    @Suite struct EvolveCommand {
        /// On the small committed inputs unless `arguments` name a scale (a run stores its own).
        private func evolve(_ arguments: [String]) throws -> CommandResult {
            var environment = ProcessInfo.processInfo.environment
            environment["SIM_CASCADE_CACHE"] = CandidateFixtures.cache.path
            let inputs = arguments.contains("--inputs") ? [] : ["--inputs", "small"]
            return try CommandRunner.run(["evolve"] + arguments + inputs, environment: environment)
        }

        /// A child that fakes the launcher's start failure is a candidate that crashed: an
        /// invalid initial program (exit 2), never this machine's failure (exit 3), which
        /// would stop a run.
        @Test func aFakeStartFailureIsTheCandidatesNotTheMachines() throws {
            let folder = try TestPaths.temporaryDirectory().appendingPathComponent("run")
            let result = try evolve(["--problem", "spot", "--iterations", "1", "--run", folder.path,
                                     "--initial", try CandidateFixtures.materialize("intercept_write").path])
            #expect(result.status == 2, "\(result.stderr)")
            #expect(result.stderr.contains("the initial program is not valid") && result.stderr.contains("exited with status 125"),
                    "\(result.stderr)")
            #expect(!result.stderr.contains("did not start"))
        }

        @Test func aShortRunResumesWhereItStoppedAndWritesTheBest() throws {
            let folder = try TestPaths.temporaryDirectory().appendingPathComponent("run")
            let first = try evolve(["--problem", "txn", "--iterations", "2", "--seed", "5", "--run", folder.path, "--json"])
            #expect(first.status == 0, "\(first.stderr)")
            // The initial program, and one per iteration that produced a new child.
            let lines = first.stderr.split(separator: "\n").filter { $0.contains("evolve: ") && $0.contains("/2 ") }
            #expect(lines.count == 2 && lines.allSatisfy { $0.contains("| best ") && $0.contains("evaluations/min") && $0.contains("spent") })
            let report = try first.json()
            #expect(report["programs"] as? Int == 1 + lines.filter { !$0.contains("no child") }.count)
            // The best program re-scored on the held-out workloads, next to the initial one.
            let rescored = report["rescored"] as? [[String: Any]] ?? []
            #expect(rescored.first?["set"] as? String == "held-out" && rescored.first?["initial"] as? Double != nil)
            #expect(first.stderr.contains("evolve: 2/2"))
            let second = try evolve(["--iterations", "4", "--run", folder.path, "--resume", "--json"])  // the run's problem
            // With a time budget alone there is no iteration limit: the clock stops the run.
            let timed = try evolve(["--problem", "txn", "--time-budget", "1s", "--no-rescore", "--json",
                                    "--run", folder.deletingLastPathComponent().appendingPathComponent("timed").path])
            let reason = try timed.json()["stop_reason"] as? String
            #expect(timed.status == 0 && reason == "time budget", "\(timed.stderr)")
            #expect(second.status == 0, "\(second.stderr)")
            #expect(second.stderr.contains("resuming") && second.stderr.contains("evolve: 3/4") && !second.stderr.contains("evolve: 2/4"))
            for file in ["best.swift", "report.md", "progress.svg"] {
                #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent(file).path), "\(file)")
            }
            let markdown = try String(contentsOf: folder.appendingPathComponent("report.md"), encoding: .utf8)
            #expect(markdown.contains("## Leaderboard") && markdown.contains("| held-out |"))
            // What each stage cost over the run's programs: every program compiled, the compile first.
            #expect(markdown.contains("## What the cascade cost on this run's programs") && markdown.contains("| total |"))
            let secondReport = try second.json()
            let costs = secondReport["stage_costs"] as? [[String: Any]] ?? []
            #expect(costs.first?["stage"] as? String == "compile" && costs.first?["programs"] as? Int == secondReport["programs"] as? Int)
            #expect(costs.allSatisfy { ($0["seconds"] as? Double ?? -1) >= 0 } && costs.contains { $0["stage"] as? String == "fine" })
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

        /// `--counterfactual all`: every child a cheap level stopped also runs by the fine level
        /// alone, beside (never instead of) its cascade stages, and the report measures the
        /// cascade against fine-only on the run's children. The share is the run's: a resume
        /// cannot change it.
        @Test func theCounterfactualRunsEveryStoppedChildThroughTheFineLevelAlone() throws {
            let folder = try TestPaths.temporaryDirectory().appendingPathComponent("run")
            let result = try evolve(["--problem", "spot", "--iterations", "6", "--seed", "1", "--workers", "2", "--no-rescore",
                                     "--counterfactual", "all", "--run", folder.path, "--json"])
            #expect(result.status == 0, "\(result.stderr)")
            let report = try result.json()
            let c = try #require(report["cascade_on_children"] as? [String: Any])
            let stopped = c["stopped"] as? Int ?? 0
            // Seed 1 with two workers stops children at the cheap levels in its first iterations.
            #expect(stopped > 0 && c["counterfactual_runs"] as? Int == stopped && c["estimated"] as? Bool == false)
            #expect(c["top_decile_recall"] is Double && (c["factor_with_compile"] as? Double ?? 0) > 0)
            let costs = report["stage_costs"] as? [[String: Any]] ?? []
            #expect(costs.contains { $0["stage"] as? String == "counterfactual_fine" && $0["programs"] as? Int == stopped })
            // The stopped children stay stopped: their counterfactual is no score.
            let stoppedByStage = report["stopped"] as? [String: Int] ?? [:]
            #expect(stoppedByStage.filter { ["cost_model", "coarse"].contains($0.key) }.values.reduce(0, +) >= stopped)
            let markdown = try String(contentsOf: folder.appendingPathComponent("report.md"), encoding: .utf8)
            #expect(markdown.contains("## The cascade against the fine level alone") && markdown.contains("Top-decile recall"))
            // Every level measured on every child: the gates replayed relative to the initial
            // program, the parent and the best so far.
            let rules = try #require(report["gate_rules"] as? [String: Any], "\(report.keys)")
            #expect((rules["rules"] as? [[String: Any]])?.compactMap { $0["reference"] as? String } == ["initial", "parent", "best"])
            #expect(markdown.contains("## Gates relative to the initial program, the parent or the best so far"))
            // A recommended rule is written as a gates file the next run can take.
            let calibrated = folder.appendingPathComponent("evolve-gates.json")
            #expect(FileManager.default.fileExists(atPath: calibrated.path) == (rules["recommended"] is String))

            let resumed = try evolve(["--iterations", "7", "--run", folder.path, "--resume", "--counterfactual", "0.5"])
            #expect(resumed.status == 2 && resumed.stderr.contains("--counterfactual"), "\(resumed.stderr)")
            let other = try evolve(["--iterations", "7", "--run", folder.path, "--resume", "--gates-relative-to", "parent"])
            #expect(other.status == 2 && other.stderr.contains("--gates-relative-to"), "\(other.stderr)")
            let bad = try evolve(["--problem", "spot", "--counterfactual", "2", "--run", folder.path + "-bad"])
            #expect(bad.status == 2 && bad.stderr.split(separator: "\n").count == 1, "\(bad.stderr)")
        }

        /// Parent-relative gates: a child is compared with its parent's values at each gated
        /// level (stored with the run); the run is deterministic like any other.
        @Test func parentRelativeGatesCompareEachChildWithItsParent() throws {
            let root = try TestPaths.temporaryDirectory()
            func run(_ name: String) throws -> [String: Any] {
                let result = try evolve(["--problem", "spot", "--iterations", "8", "--seed", "1", "--workers", "1", "--no-rescore",
                                         "--gates-relative-to", "parent", "--run", root.appendingPathComponent(name).path, "--json"])
                #expect(result.status == 0, "\(result.stderr)")
                return try result.json()
            }
            let a = try run("a"), b = try run("b")
            #expect(a["leaderboard"] as? NSArray == b["leaderboard"] as? NSArray && a["stopped"] as? NSDictionary == b["stopped"] as? NSDictionary)
            let dump = try CommandRunner.run(["runs", "dump", root.appendingPathComponent("a").path])
            #expect(dump.stdout.contains(#"\"gateReference\":\"parent\""#), "\(dump.stdout.prefix(2000))")
            // A gates file can name the reference (as an evolve run's evolve-gates.json does); its gates are stored.
            let file = root.appendingPathComponent("gates.json")
            try Data(#"{"gates": [{"level": "cost_model", "metric": "mean_cost", "factor": 1.25}], "gates_relative_to": "parent"}"#.utf8)
                .write(to: file)
            let c = try evolve(["--problem", "spot", "--iterations", "2", "--no-rescore", "--gates", file.path,
                                "--run", root.appendingPathComponent("c").path])
            #expect(c.status == 0, "\(c.stderr)")
            let stored = try CommandRunner.run(["runs", "dump", root.appendingPathComponent("c").path]).stdout
            #expect(stored.contains(#"\"gateReference\":\"parent\""#) && stored.contains(#"\"factor\":1.25"#), "\(stored.prefix(2000))")
        }

        @Test func badRunFoldersAreOneLineAndExitTwo() throws {
            let folder = try TestPaths.temporaryDirectory().appendingPathComponent("run")
            _ = try evolve(["--problem", "txn", "--iterations", "0", "--run", folder.path])
            for (arguments, mention) in [
                (["--resume"], "--run"),
                (["--problem", "txn", "--run", folder.path], "--resume"),
                (["--problem", "spot", "--run", folder.path, "--resume"], "another problem"),
                (["--iterations", "-1"], "--iterations"),
                (["--time-budget", "soon"], "--time-budget"),
                (["--workers", "0"], "--workers"),
                (["--generator", "gpt"], "--generator"),
                (["--generator", "openai"], "--config"),
                (["--record", "x"], "--generator openai"),
                (["--config", "x.json"], "cannot read"),
                (["--generator", "openai", "--config", folder.appendingPathComponent("store.sqlite").path], "does not parse"),
                (["--run", folder.path, "--resume", "--workers", "7"], "started with"),
                (["--run", folder.path, "--resume", "--seed", "3"], "--seed"),
                (["--run", folder.path, "--resume", "--inputs", "research"], "started with small"),
                (["--inputs", "huge"], "--inputs"),
            ] {
                let result = try evolve(arguments)
                #expect(result.status == 2, "\(arguments): \(result.stderr)")
                #expect(result.stderr.split(separator: "\n").count == 1 && result.stderr.contains(mention), "\(result.stderr)")
            }
        }

        @Test func anUnreachableEndpointIsOneErrorAndTheStoreKeepsWhatWasCommitted() throws {
            let folder = try TestPaths.temporaryDirectory()
            let config = folder.appendingPathComponent("endpoint.json")
            // Port 9 (discard) on loopback: nothing listens there.
            try #"{"base_url": "http://127.0.0.1:9/v1", "models": [{"name": "m"}], "retries": 1, "retry_delay_seconds": 0, "timeout_seconds": 5}"#
                .write(to: config, atomically: true, encoding: .utf8)
            let run = folder.appendingPathComponent("run")
            let result = try evolve(["--problem", "txn", "--iterations", "3", "--generator", "openai", "--config", config.path, "--run", run.path])
            #expect(result.status == 3, "\(result.stderr)")
            let errors = result.stderr.split(separator: "\n").filter { $0.hasPrefix("error:") }
            #expect(errors.count == 1 && errors[0].contains("cannot reach") && errors[0].contains("after 2 attempts"), "\(result.stderr)")
            let show = try CommandRunner.run(["runs", "show", run.path, "--json"])
            let iterations = try show.json()["iterations"] as? Int
            #expect(show.status == 0 && iterations == 0, "\(show.stderr)")
        }
    }
}

extension CandidateSandboxTests.EvolveCommand {
    /// kill -9 at five moments — inside an evaluation and inside a commit (test-only hooks) and
    /// at three seeded random times — each followed by `--resume`: the store ends equal to an
    /// uninterrupted run's, timing columns aside.
    @Test func killedAtAnyMomentAndResumedTheStoreEqualsAnUninterruptedRun() throws {
        let root = try TestPaths.temporaryDirectory()
        // Long enough that a kill at a random time lands before the end even when every child's
        // compile is a cache hit (the reference run compiled them all).
        let common = ["--problem", "spot", "--inputs", "small", "--iterations", "40", "--no-rescore", "--json"]
        let fresh = ["--seed", "9", "--workers", "2"]  // stored with the run; a resume takes them from the store
        func dump(_ run: URL) throws -> [String] {
            let result = try CommandRunner.run(["runs", "dump", run.path])
            #expect(result.status == 0, "\(result.stderr)")
            return result.stdout.split(separator: "\n").map(String.init)
        }
        let reference = root.appendingPathComponent("reference")
        let whole = try evolve(common + fresh + ["--run", reference.path])
        #expect(whole.status == 0, "\(whole.stderr)")

        let killed = root.appendingPathComponent("killed")
        var lcg: UInt64 = 0x5EED_0009  // the random kill times: seeded, so a failure can be replayed
        func nextDelay() -> Double {
            lcg = lcg &* 6364136223846793005 &+ 1442695040888963407
            return 0.3 + Double(lcg >> 40) / Double(1 << 24) * 1.2
        }
        // The commit hook names an iteration two past what the store holds when its step starts
        // ("commit:next"), so that it fires however far the earlier steps got.
        let plan: [(hook: String?, delay: Double?)] = [("evaluation:3", nil), (nil, nextDelay()), ("commit:next", nil),
                                                       (nil, nextDelay()), (nil, nextDelay())]
        var kills = 0
        for var step in plan + [(nil, nil)] {
            let shown = try? CommandRunner.run(["runs", "show", killed.path, "--json"])
            let started = shown?.status == 0
            if step.hook == "commit:next" {
                let done = (try? shown?.json()["iterations"] as? Int) ?? 0
                step.hook = "commit:\(done + 2)"
            }
            var environment = ProcessInfo.processInfo.environment
            environment["SIM_CASCADE_CACHE"] = CandidateFixtures.cache.path
            environment["SIM_CASCADE_TEST_KILL"] = step.hook
            let result = try CommandRunner.run(["evolve"] + common + ["--run", killed.path] + (started ? ["--resume"] : fresh),
                                               environment: environment, killAfter: step.delay)
            if result.status == 9 { kills += 1 } else {
                #expect(result.status == 0 && step.hook == nil, "\(step): \(result.stderr)")
            }
        }
        #expect(kills >= 4, "\(kills) of 5 kills landed before the run finished")
        #expect(try dump(killed) == (try dump(reference)))
    }
}

extension CandidateSandboxTests.EvolveCommand {
    /// `evolve --generator openai` end to end against the loopback fixture server: calls, costs,
    /// failed calls, `--record`, the budget, and a resume with the same config.
    @Test func theOpenAIGeneratorThroughTheCommandLine() throws {
        let folder = try TestPaths.temporaryDirectory()
        let server = try ChatServer(answers: ["edit-threshold", "http-400", "no-edit", "edit-rewrite"])
        let config = folder.appendingPathComponent("endpoint.json")
        try """
            {"base_url": "\(server.baseURL)", "api_key_env": "SIM_CASCADE_TEST_KEY", "models": [{"name": "coder-a"}],
             "retries": 0, "max_tokens": 500,
             "prices": {"coder-a": {"prompt_per_million": 1, "completion_per_million": 2}},
             "selection": {"islands": 2}}
            """.write(to: config, atomically: true, encoding: .utf8)
        let run = folder.appendingPathComponent("run"), record = folder.appendingPathComponent("record")
        let first = try evolve(["--problem", "spot", "--iterations", "3", "--generator", "openai", "--config", config.path,
                                "--budget-usd", "1", "--record", record.path, "--workers", "1", "--no-rescore", "--run", run.path, "--json"])
        #expect(first.status == 0, "\(first.stderr)")
        let report = try first.json()
        #expect(report["iterations"] as? Int == 3 && report["failed_calls"] as? Int == 2, "\(report)")
        let spent = report["spent_usd"] as? Double ?? 0
        // Charged: the two answered calls (the edit and the answer with no edit), not the HTTP error.
        #expect(abs(spent - (1200.0 + 2 * 80 + 1100 + 2 * 10) / 1e6) < 1e-12, "\(spent)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: record.path).sorted() == ["0001.json", "0002.json", "0003.json"])
        let dump = try CommandRunner.run(["runs", "dump", run.path]).stdout
        #expect(dump.contains("HTTP 400") && dump.contains("no SEARCH/REPLACE") && dump.contains(#"model="coder-a""#))
        #expect(dump.contains(#"\"islands\":2"#), "the selection came from the config")

        // Resumed with the same config: the fourth answer is a rewrite.
        let second = try evolve(["--iterations", "4", "--config", config.path, "--no-rescore", "--run", run.path, "--resume", "--json"])
        let resumedIterations = try second.json()["iterations"] as? Int
        #expect(second.status == 0 && resumedIterations == 4, "\(second.stderr)")
        #expect(try server.requests().count == 4)

        // A budget smaller than one call's worst case stops the run before any call.
        let tight = try evolve(["--problem", "spot", "--iterations", "3", "--generator", "openai", "--config", config.path,
                                "--budget-usd", "0.0001", "--no-rescore", "--run", folder.appendingPathComponent("tight").path, "--json"])
        let reason = try tight.json()["stop_reason"] as? String
        #expect(tight.status == 0 && reason == "cost budget", "\(tight.stderr)")
        #expect(try server.requests().count == 4)
    }
}
