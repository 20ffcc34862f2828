import Foundation
import TestSupport
import Testing

extension CandidateSandboxTests {
    /// What the Python bridges (python/) read of `eval --json`, and the options they pass.
    @Suite struct BridgeFields {
        @Test func theTemplateScoresOneAndTheBuildIDNamesTheSource() throws {
            let template = try CandidateFixtures.template()
            let json = try CandidateFixtures.eval(template, ["--no-public-evaluator"]).json()
            let score = try #require(json["score"] as? [String: Any])
            #expect(score["metric"] as? String == "mean_cost" && score["higher_is_better"] as? Bool == false)
            #expect(score["level"] as? String == "fine")
            #expect(score["normalized"] as? Double == 1 && score["value"] as? Double == json["mean_cost"] as? Double)
            let id = try #require(json["build_id"] as? String)
            #expect(id.count == 16)
            // Another source, another id; the same source again, the same one.
            let other = try TestPaths.temporaryDirectory().appendingPathComponent("other.swift")
            try (String(contentsOf: template, encoding: .utf8) + "\n// another\n").write(to: other, atomically: true, encoding: .utf8)
            let again = try CandidateFixtures.eval(template, ["--level", "cost_model"]).json()
            let changed = try CandidateFixtures.eval(other, ["--level", "cost_model"]).json()
            #expect(again["build_id"] as? String == id && changed["build_id"] as? String != id)
        }

        @Test(arguments: ["spot", "spot-multi", "eplb", "prefix", "txn"])
        func everyTemplateScoresOneAtEveryLevel(problem: String) throws {
            let template = try CandidateFixtures.template(problem)
            for level in ["cost_model", "coarse", "fine"] {
                let json = try CandidateFixtures.eval(template, ["--problem", problem, "--level", level, "--no-public-evaluator"]).json()
                let score = try #require(json["score"] as? [String: Any], "\(problem) \(level)")
                #expect(json["valid"] as? Bool == true && score["level"] as? String == level)
                #expect(score["normalized"] as? Double == 1, "\(problem) \(level): \(score)")
            }
        }

        @Test func aLevelRunAloneIsScoredAgainstTheTemplateThere() throws {
            let json = try CandidateFixtures.eval(try CandidateFixtures.template(), ["--level", "cost_model"]).json()
            let score = try #require(json["score"] as? [String: Any])
            #expect(score["level"] as? String == "cost_model" && score["normalized"] as? Double == 1)
        }

        @Test func aFailedCandidateHasAScoreBlockWithoutNumbers() throws {
            let candidate = try CandidateFixtures.materialize("always_on_demand")
            let json = try CandidateFixtures.eval(candidate, ["--level", "fine", "--no-public-evaluator"]).json()
            let valid = json["valid"] as? Bool
            let score = try #require(json["score"] as? [String: Any])
            // Always on demand is valid but worse than greedy: a ratio below one.
            #expect(valid == true && (score["normalized"] as? Double ?? 1) < 1)
            let broken = try TestPaths.temporaryDirectory().appendingPathComponent("broken.swift")
            try "import CandidateAPI\nstruct Candidate {}\n".write(to: broken, atomically: true, encoding: .utf8)
            let failed = try CandidateFixtures.eval(broken, []).json()
            let none = try #require(failed["score"] as? [String: Any])
            #expect(failed["valid"] as? Bool == false)
            #expect(none["value"] is NSNull && none["normalized"] is NSNull && none["reference"] is NSNull)
        }

        @Test func inputNamesAScenarioFileForSpot() throws {
            let json = try CandidateFixtures.eval(try CandidateFixtures.template(),
                                                  ["--input", CandidateFixtures.smallScenarioSet.path, "--level", "cost_model"]).json()
            #expect(json["valid"] as? Bool == true)
            let both = try CandidateFixtures.eval(try CandidateFixtures.template(),
                                                  ["--input", "a.json", "--scenarios", "b.json"])
            #expect(both.status == 2 && both.stderr.contains("--input"))
        }

        @Test func modelsOnlyLeavesTheSystemLevelOutOfTxn() throws {
            // The checkout's txn calibration ends at PostgreSQL; --models-only ends at the fine level.
            let json = try CandidateFixtures.eval(try CandidateFixtures.template("txn"), ["--problem", "txn", "--models-only"]).json()
            let stages = try #require(json["stages"] as? [[String: Any]])
            #expect(stages.map { $0["level"] as? String } == ["cost_model", "coarse", "fine"])
            #expect((json["score"] as? [String: Any])?["normalized"] as? Double == 1)
            // With --all-levels: every level but PostgreSQL (what a remote counterfactual asks for).
            let all = try CandidateFixtures.eval(try CandidateFixtures.template("txn"), ["--problem", "txn", "--models-only", "--all-levels"]).json()
            #expect((all["stages"] as? [[String: Any]])?.map { $0["level"] as? String } == ["cost_model", "coarse", "fine"])
        }

        @Test func aGateReferenceReplacesTheTemplatesAtItsLevel() throws {
            let gates = try TestPaths.temporaryDirectory().appendingPathComponent("gates.json")
            try Data(#"{"gates": [{"level": "coarse", "metric": "mean_cost", "factor": 1.1}]}"#.utf8).write(to: gates)
            let template = try CandidateFixtures.template()
            // A parent that cost 1 $ a scenario at the coarse level: the template is far worse.
            let json = try CandidateFixtures.eval(template, ["--gates", gates.path, "--gate-reference", "coarse=1"]).json()
            #expect(json["valid"] as? Bool == false && json["rejected_at"] as? String == "coarse")
            for bad in ["coarse", "coarse=x", "coarse=1e999", "system=1"] {
                let refused = try CandidateFixtures.eval(template, ["--gates", gates.path, "--gate-reference", bad])
                #expect(refused.status == 2 && refused.stderr.contains("--gate-reference"), "\(bad): \(refused.stderr)")
            }
        }

        @Test func initPromptPrintsTheContractAndTheAPI() throws {
            let prompt = try CommandRunner.run(["init", "txn", "--prompt"])
            #expect(prompt.status == 0)
            #expect(prompt.stdout.contains("problem `txn`") && prompt.stdout.contains("EVOLVE-BLOCK-START"))
            #expect(prompt.stdout.contains("protocol TxnScheduler") && !prompt.stdout.contains("<<<<<<< SEARCH"))
        }

        @Test func anEvalWhoseParentIsGoneDoesNothing() throws {
            var environment = ProcessInfo.processInfo.environment
            // A pid no process has: the largest the kernel hands out, plus one.
            let pidMax = try String(contentsOfFile: "/proc/sys/kernel/pid_max", encoding: .utf8)
            environment["SIM_CASCADE_PARENT_PID"] = "\(Int(pidMax.trimmingCharacters(in: .whitespacesAndNewlines))! + 1)"
            environment["SIM_CASCADE_CACHE"] = CandidateFixtures.cache.path
            environment["SIM_CASCADE_SANDBOX_UIDS"] = SandboxUIDs().description
            let result = try CommandRunner.run(["eval", try CandidateFixtures.template().path, "--json"], environment: environment)
            #expect(result.status == 3 && result.stderr.contains("SIM_CASCADE_PARENT_PID"))
            let outliving = try CommandRunner.run(["eval", try CandidateFixtures.template().path, "--outlive-parent", "--level", "cost_model",
                                                   "--inputs", "small", "--json"], environment: environment)
            #expect(outliving.status == 0)
            // Named through a wrapper that forks (`timeout`): the caller is still an ancestor.
            environment["SIM_CASCADE_PARENT_PID"] = "\(getpid())"
            let wrapped = try CommandRunner.run(["eval", try CandidateFixtures.template().path, "--level", "cost_model", "--inputs", "small",
                                                 "--json"], environment: environment, through: ["/usr/bin/timeout", "600"])
            #expect(wrapped.status == 0, "\(wrapped.stderr)")
        }
    }
}
