import CandidateAPI
import Foundation
@testable import Sim
import TestSupport
import Testing

/// The multi-region simulator against the public evaluator's published figures.
@Suite struct MultiRegionSpotTests {
    static func leaderboard() throws -> MultiRegionScenarioSet {
        try MultiRegionScenarioSet.load(from: try TestPaths.referenceData()
            .appendingPathComponent("spot/multi_region/scenarios-leaderboard-multi.json"))
    }

    @Test func roundRobinReproducesTheReferenceModelExactly() throws {
        let set = try Self.leaderboard()
        #expect(set.runs.count == 34 && set.gapSeconds == 195)
        let result = BuiltinMultiRegionPolicy.roundRobin.run(set, model: .reference)
        #expect(result.meanCost == 82.18692369213043)
        let published = [135.7652, 62.5726, 67.1530, 127.2302, 52.4104, 47.9901]
        for (mean, expected) in zip(result.scenarioMeans, published) {
            #expect(abs(mean.meanCost - expected) < 5e-5, "\(mean.name): \(mean.meanCost)")
        }
    }

    @Test func roundRobinUnderTheCorrectedModel() throws {
        let result = BuiltinMultiRegionPolicy.roundRobin.run(try Self.leaderboard(), model: .corrected)
        #expect(result.meanCost == 81.76254696759312)
        #expect(result.deadlineMisses == 0)
    }
}
