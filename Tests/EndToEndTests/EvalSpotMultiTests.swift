import Foundation
import TestSupport
import Testing

extension CandidateSandboxTests {
    /// `eval --problem spot-multi`: the sandboxed template reproduces both published scores, the
    /// cascade runs, and bad answers and late finishes make a candidate invalid.
    @Suite struct EvalSpotMulti {
        private func candidate(_ body: String) throws -> URL {
            let url = try TestPaths.temporaryDirectory().appendingPathComponent("candidate.swift")
            try """
                import CandidateAPI
                struct Candidate: MultiRegionPolicy {
                    init() {}
                    mutating func decide(_ v: MultiRegionView) -> MultiRegionDecision { \(body) }
                }
                """.write(to: url, atomically: true, encoding: .utf8)
            return url
        }

        @Test(.needsReferenceData) func theSandboxedTemplateGivesThePublishedScoresUnderBothModels() throws {
            let template = try CandidateFixtures.template("spot-multi")
            for (model, expected) in [("reference", 82.18692369213043), ("corrected", 81.76254696759312)] {
                let json = try CandidateFixtures.eval(template, ["--problem", "spot-multi", "--scenarios", "scenarios-leaderboard-multi.json",
                                                                 "--model", model]).json()
                #expect(json["valid"] as? Bool == true && json["mean_cost"] as? Double == expected, "\(model): \(json)")
                #expect(json["model"] as? String == model && (json["results"] as? [Any])?.count == 34)
                #expect((json["scenarios"] as? [[String: Any]])?.count == 6 && json["deadline_misses"] as? Int == 0)
            }
            // On the small generated search set: every stage, the fine one equal to simulate's.
            let json = try CandidateFixtures.eval(template, ["--problem", "spot-multi", "--all-levels"]).json()
            let stages = try #require(json["stages"] as? [[String: Any]])
            #expect(stages.map { $0["level"] as? String } == ["cost_model", "coarse", "fine"])
            let small = TestPaths.repositoryRoot.appendingPathComponent("traces/spot-multi/scenarios-small.json").path
            let simulated = try CommandRunner.run(["simulate", "spot-multi", "--policy", "round-robin", "--scenarios", small, "--json"]).json()
            #expect(json["mean_cost"] as? Double == simulated["mean_cost"] as? Double)
        }

        /// A program ported from the public environment reads every region's availability: it
        /// is there under the reference model; under the corrected one it is `nil`, so forcing
        /// it open is a crash (a trap: `-O` prints no message), while a fallback runs.
        @Test func everyRegionsAvailabilityIsShownUnderTheReferenceModelOnly() throws {
            let rule = """
                let left = ((v.deadline - v.elapsed) / v.gap).rounded(.down) * v.gap
                if ((v.remainingWork + 2 * v.restartOverhead) / v.gap).rounded(.up) * v.gap >= left {
                    return MultiRegionDecision(v.lastCluster == .spot && v.hasSpot ? .spot : .onDemand)
                }
                if v.hasSpot { return MultiRegionDecision(.spot) }
                if let r = everyRegion.firstIndex(of: true) { return MultiRegionDecision(.spot, region: r) }
                return MultiRegionDecision(.onDemand)
                """
            let forced = try candidate("let everyRegion = v.spotAvailableByRegion!\n" + rule)
            let reference = try CandidateFixtures.eval(forced, ["--problem", "spot-multi", "--level", "fine", "--model", "reference"]).json()
            #expect(reference["valid"] as? Bool == true, "\(reference)")
            let corrected = try CandidateFixtures.eval(forced, ["--problem", "spot-multi", "--level", "fine", "--model", "corrected"]).json()
            let failure = try #require(corrected["failure"] as? [String: Any], "\(corrected)")
            #expect(corrected["valid"] as? Bool == false && failure["kind"] as? String == "crash", "\(failure)")
            // The public figure is the reference model's, where the same program runs.
            let block = try #require(corrected["public_evaluator"] as? [String: Any], "\(corrected)")
            #expect(block["failure"] == nil && (block["runs"] as? Int ?? 0) > 0 && block["mean_cost"] is Double)
            let fallback = try candidate("let everyRegion = v.spotAvailableByRegion ?? []\n" + rule)
            let run = try CandidateFixtures.eval(fallback, ["--problem", "spot-multi", "--level", "fine", "--model", "corrected"]).json()
            #expect(run["valid"] as? Bool == true, "\(run)")
        }

        @Test func aRegionOutOfRangeOrALateFinishIsInvalid() throws {
            let outOfRange = try CandidateFixtures.eval(try candidate("MultiRegionDecision(.spot, region: v.regionCount)"),
                                                        ["--problem", "spot-multi"]).json()
            #expect(outOfRange["valid"] as? Bool == false && (outOfRange["failure"] as? [String: Any])?["kind"] as? String == "invalid_answer")
            // The simulator's deadline guarantee rescues even a policy that never runs anything:
            // on time, valid, and dear.
            let idle = try CandidateFixtures.eval(try candidate("MultiRegionDecision(.none)"), ["--problem", "spot-multi", "--level", "fine"]).json()
            #expect(idle["valid"] as? Bool == true && (idle["mean_cost"] as? Double ?? 0) > 100)
            let bad = try CandidateFixtures.eval(try candidate("MultiRegionDecision(.spot)"), ["--problem", "spot", "--model", "reference"])
            #expect(bad.status == 2 && bad.stderr.contains("--problem spot-multi"))
            // Evaluated as a spot candidate, it does not compile, and the hint names its problem.
            let wrong = try CandidateFixtures.eval(try candidate("MultiRegionDecision(.spot)"), ["--problem", "spot"])
            #expect(wrong.status == 0 && wrong.stderr.contains("hint: the candidate conforms to MultiRegionPolicy, a spot-multi protocol: pass --problem spot-multi"), "\(wrong.stderr)")
        }
    }
}
