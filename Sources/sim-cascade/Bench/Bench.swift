import ArgumentParser
import Foundation
import Sim

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure the CPU time of the simulators on fixed work.",
        discussion: """
            Each workload runs the simulation only, with its inputs already in memory: every run \
            creates fresh policy instances and result arrays, and nothing is cached between runs. \
            The figure is the median thread CPU time of --runs runs on one core.
            """
    )

    @Option(help: "Runs per workload (at least 5).")
    var runs: Int = 11

    @Flag(help: "Print one JSON object instead of a table.")
    var json = false

    struct Workload {
        var name: String
        var set: SpotScenarioSet
        var policy: BuiltinSpotPolicy
    }

    struct Row: Encodable {
        var workload: String
        var scenarios: Int
        var ticks_simulated: Int
        var median_ms: Double
        var min_ms: Double
        var max_ms: Double
        var ns_per_tick: Double
        var mean_cost: Double
        var runs: Int
    }

    func run() throws {
        guard runs >= 5 else {
            throw SimError.invalidParameter(name: "--runs", value: "\(runs)", reason: "must be at least 5")
        }
        BLASThreads.ensureSingleThreaded()
        var workloads: [Workload] = []
        if let data = try? Locations.referenceData() {
            let folder = data.appendingPathComponent("spot/single_region")
            let adrs = try SpotScenarioSet.load(from: folder.appendingPathComponent("scenarios-adrs-1080.json"))
            let board = try SpotScenarioSet.load(from: folder.appendingPathComponent("scenarios-leaderboard-1080.json"))
            for policy in BuiltinSpotPolicy.allCases {
                workloads.append(Workload(name: "spot adrs-1080 \(policy.rawValue)", set: adrs, policy: policy))
            }
            workloads.append(Workload(name: "spot leaderboard-1080 uniform-progress", set: board, policy: .uniformProgress))
        } else {
            try? FileHandle.standardError.write(
                contentsOf: Data("note: reference data not found; benchmarking the default set only\n".utf8))
        }
        let defaults = try SpotScenarioSet.load(from: Locations.defaultSpotScenarios())
        workloads.append(Workload(name: "spot \(defaults.name) uniform-progress", set: defaults, policy: .uniformProgress))

        var rows: [Row] = []
        for workload in workloads {
            var checksum = 0.0
            var ticks = 0
            let m = Measurement.cpuTime(runs: runs, sink: { (r: SpotSetResult) in
                checksum = r.meanCost
                ticks = r.results.reduce(0) { $0 + $1.ticks }
            }) {
                workload.policy.run(workload.set)
            }
            rows.append(Row(workload: workload.name, scenarios: workload.set.scenarios.count,
                            ticks_simulated: ticks, median_ms: m.median * 1e3, min_ms: m.minimum * 1e3,
                            max_ms: m.maximum * 1e3, ns_per_tick: m.median * 1e9 / Double(max(ticks, 1)),
                            mean_cost: checksum, runs: runs))
        }
        if json { return try JSONOutput.print(["benchmarks": rows]) }
        var table = TextTable(headers: ["workload", "scenarios", "ticks", "median ms", "min ms", "ns/tick", "mean cost $"])
        for r in rows {
            table.append([r.workload, "\(r.scenarios)", "\(r.ticks_simulated)", fixed(r.median_ms, 3),
                          fixed(r.min_ms, 3), fixed(r.ns_per_tick, 1), fixed(r.mean_cost, 4)])
        }
        print("CPU time on one core, median of \(runs) fresh runs\n" + table.render())
    }
}
