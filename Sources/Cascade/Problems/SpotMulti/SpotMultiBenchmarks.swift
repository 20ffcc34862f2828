import CandidateAPI
import Foundation
import Sim
import SimCore

extension SpotMultiProblem {
    /// `round-robin` on the public leaderboard set under both models (reference data only).
    public func benchmarks(runs: Int, catalog: InputCatalog) throws -> [BenchRow] {
        guard let data = try? catalog.referenceData() else { return [] }
        let multi = try MultiRegionScenarioSet.load(from: data.appendingPathComponent("spot/multi_region/scenarios-leaderboard-multi.json"))
        return MultiRegionModel.allCases.map { Self.spotMulti(multi, model: $0, runs: runs) }
    }

    /// `round-robin` over every run of a multi-region set under `model`; the figure per item is one run.
    static func spotMulti(_ set: MultiRegionScenarioSet, model: MultiRegionModel, runs: Int) -> BenchRow {
        var score = 0.0
        let m = BenchSamples.cpuTime(runs: runs, sink: { score = $0 }) { () -> Double in
            BuiltinMultiRegionPolicy.roundRobin.run(set, model: model).meanCost
        }
        precondition(score > 0)
        return BenchRow("spot-multi \(set.name) round-robin, \(model.rawValue) (\(set.runs.count) runs)", clock: "cpu", m,
                         items: set.runs.count)
    }
}
