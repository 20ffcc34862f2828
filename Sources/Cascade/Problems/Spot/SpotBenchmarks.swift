import CandidateAPI
import Foundation
import Sim
import SimCore

extension SpotProblem {
    /// Each built-in policy on the published adrs-1080 set, uniform-progress on the leaderboard
    /// set (reference data only) and on the embedded search set.
    public func benchmarks(runs: Int, catalog: InputCatalog) throws -> [BenchRow] {
        var workloads: [(String, SpotScenarioSet, BuiltinSpotPolicy)] = []
        if let data = try? catalog.referenceData() {
            let folder = data.appendingPathComponent("spot/single_region")
            let adrs = try SpotScenarioSet.load(from: folder.appendingPathComponent("scenarios-adrs-1080.json"))
            let board = try SpotScenarioSet.load(from: folder.appendingPathComponent("scenarios-leaderboard-1080.json"))
            for policy in BuiltinSpotPolicy.allCases {
                workloads.append(("spot adrs-1080 \(policy.rawValue)", adrs, policy))
            }
            workloads.append(("spot leaderboard-1080 uniform-progress", board, .uniformProgress))
        }
        let defaults = try SpotScenarioSet.load(from: Self.scenarioFile(nil, catalog: catalog))
        workloads.append(("spot \(defaults.name) uniform-progress", defaults, .uniformProgress))

        return workloads.map { name, set, policy in
            var checksum = 0.0
            var ticks = 0
            let m = BenchSamples.cpuTime(runs: runs, sink: { (r: SpotSetResult) in
                checksum = r.meanCost
                ticks = r.results.reduce(0) { $0 + $1.ticks }
            }) {
                policy.run(set)
            }
            return BenchRow(name, clock: "cpu", m, scenarios: set.scenarios.count, ticks: ticks, meanCost: checksum)
        }
    }
}
