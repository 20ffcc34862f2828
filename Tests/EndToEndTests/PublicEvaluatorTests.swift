import CandidateAPI
import Foundation
import Sim
import TestSupport
import Testing

extension CandidateSandboxTests {
    /// `eval`'s `public_evaluator` block: what the public evaluator would report for a candidate
    /// late somewhere, beside `valid: false`; never the score.
    @Suite struct PublicEvaluator {
        /// Spot when available, else nothing (the fixture `spot_or_nothing`), in process.
        struct SpotOrNothing: SpotPolicy {
            init() {}
            mutating func decide(_ v: SpotView) -> Cluster { v.hasSpot ? .spot : .none }
        }

        @Test func aLateSpotCandidateIsInvalidAndShowsThePublicFigure() throws {
            let run = try CandidateFixtures.eval(CandidateFixtures.materialize("spot_or_nothing"), ["--problem", "spot"])
            let json = try run.json()
            #expect(json["valid"] as? Bool == false && (json["failure"] as? [String: Any])?["kind"] as? String == "deadline_miss")
            #expect(json["mean_cost"] == nil, "no score for an invalid candidate")
            let block = try #require(json["public_evaluator"] as? [String: Any], "\(json)")
            // The same policy in process over the same (default) set, late runs included.
            let set = try SpotScenarioSet.load(from: TestPaths.repositoryRoot.appendingPathComponent("traces/spot/scenarios-small.json"))
            let results = set.scenarios.map { s -> SpotRunResult in
                var policy = SpotOrNothing()
                return SpotSimulator.run(window: s.window, gapSeconds: set.gapSeconds, job: s.job, policy: &policy)
            }
            let expected = SpotSetResult(results: results)
            // Foundation's JSON reader on Linux may round the last bit differently from the writer.
            #expect(abs((block["mean_cost"] as? Double ?? 0) - expected.meanCost) <= 1e-12 * expected.meanCost)
            #expect(block["runs"] as? Int == set.scenarios.count && block["late_runs"] as? Int == expected.deadlineMisses)
            #expect(expected.deadlineMisses > 0 && (block["max_lateness_hours"] as? Double ?? 0) > 0)
            #expect(block["model"] as? String == "reference" && (block["diagnostic"] as? String)?.contains("never a fitness") == true)
            let text = try CandidateFixtures.eval(CandidateFixtures.materialize("spot_or_nothing"), ["--problem", "spot"], json: false).stdout
            #expect(text.contains("valid: false") && text.contains("public evaluator (diagnostic, not a fitness"), "\(text)")
            // Asked away, or for a cheap level alone: no extra run.
            for options in [["--no-public-evaluator"], ["--level", "coarse"]] {
                let json = try CandidateFixtures.eval(CandidateFixtures.materialize("spot_or_nothing"), ["--problem", "spot"] + options).json()
                #expect(json["public_evaluator"] == nil, "\(options)")
            }
        }

        @Test func aValidCandidatesPublicFigureIsItsScore() throws {
            let json = try CandidateFixtures.eval(try CandidateFixtures.template("spot-multi"),
                                                  ["--problem", "spot-multi", "--model", "reference"]).json()
            let block = try #require(json["public_evaluator"] as? [String: Any])
            #expect(json["valid"] as? Bool == true && block["mean_cost"] as? Double == json["mean_cost"] as? Double)
            #expect(block["late_runs"] as? Int == 0 && block["seconds"] as? Double == 0, "reused, not run again")
            // Under the corrected model the public figure is the reference model's: a second run.
            let corrected = try CandidateFixtures.eval(try CandidateFixtures.template("spot-multi"), ["--problem", "spot-multi"]).json()
            let again = try #require(corrected["public_evaluator"] as? [String: Any])
            #expect(again["mean_cost"] as? Double == block["mean_cost"] as? Double && (again["seconds"] as? Double ?? 0) > 0)
            #expect(again["mean_cost"] as? Double != corrected["mean_cost"] as? Double)
        }
    }
}
