import ArgumentParser
import Foundation
import Sim
import SimCore

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure the simulators and the candidate pipeline on fixed work.",
        discussion: """
            Simulator workloads run the simulation only, inputs already in memory: every run \
            creates fresh policy instances and result arrays, and nothing is cached between runs; \
            the figure is the median thread CPU time on one core. Candidate workloads (compile of \
            the spot template into an empty cache, a cache hit, the sandbox's start from spawn to \
            the candidate's first answer with the memory cgroup off and on, a full sandboxed \
            evaluation excluding compile) span several processes and report median wall time.
            """
    )

    @Option(help: "Runs per workload (5…1000).")
    var runs: Int = 11

    @Flag(help: "Skip the candidate compile and sandbox workloads.")
    var skipCandidates = false

    @Flag(help: "Run candidate workloads without namespaces where they are unavailable.")
    var unsafeNoSandbox = false

    @OptionGroup var output: OutputOptions

    struct Row: Encodable {
        var workload: String
        /// "cpu" (thread CPU time) or "wall".
        var clock: String
        var scenarios: Int?
        var ticks_simulated: Int?
        var median_ms: Double
        var min_ms: Double
        var max_ms: Double
        var ns_per_tick: Double?
        var mean_cost: Double?
        /// For workloads that repeat a small unit (e.g. one makespan evaluation): the unit's
        /// median time.
        var per_item_us: Double?
        var items: Int?
        var runs: Int

        init(_ workload: String, clock: String, _ m: BenchSamples, scenarios: Int? = nil, ticks: Int? = nil,
             meanCost: Double? = nil, items: Int? = nil) {
            self.workload = workload
            self.clock = clock
            self.scenarios = scenarios
            ticks_simulated = ticks
            median_ms = m.median * 1e3
            min_ms = m.minimum * 1e3
            max_ms = m.maximum * 1e3
            ns_per_tick = ticks.map { m.median * 1e9 / Double(max($0, 1)) }
            mean_cost = meanCost
            self.items = items
            per_item_us = items.map { m.median * 1e6 / Double($0) }
            runs = m.samples.count
        }
    }

    func run() throws {
        guard (5...1000).contains(runs) else {
            throw SimError.invalidParameter(name: "--runs", value: "\(runs)", reason: "must be 5…1000")
        }
        var rows = try SimulatorBench(runs: runs).rows() + (try ProblemBench(runs: runs).rows()) + (try EvolveBench(runs: runs).rows())
        if !skipCandidates {
            rows += try CandidateBench(runs: runs, allowUnsafe: unsafeNoSandbox).rows()
        }
        if output.json { return try JSONOutput.print(["benchmarks": rows]) }
        var table = TextTable(headers: ["workload", "clock", "scenarios", "median ms", "min ms", "ns/tick", "per item µs",
                                         "mean cost $"])
        for r in rows {
            table.append([r.workload, r.clock, r.scenarios.map(String.init) ?? "", fixed(r.median_ms, 3),
                          fixed(r.min_ms, 3), r.ns_per_tick.map { fixed($0, 1) } ?? "",
                          r.per_item_us.map { fixed($0, 2) } ?? "", r.mean_cost.map { fixed($0, 4) } ?? ""])
        }
        print("median of \(runs) fresh runs\n" + table.render())
    }
}

/// In-process simulator workloads.
struct SimulatorBench {
    var runs: Int

    func rows() throws -> [Bench.Row] {
        var workloads: [(String, SpotScenarioSet, BuiltinSpotPolicy)] = []
        if let data = try? Locations.referenceData() {
            let folder = data.appendingPathComponent("spot/single_region")
            let adrs = try SpotScenarioSet.load(from: folder.appendingPathComponent("scenarios-adrs-1080.json"))
            let board = try SpotScenarioSet.load(from: folder.appendingPathComponent("scenarios-leaderboard-1080.json"))
            for policy in BuiltinSpotPolicy.allCases {
                workloads.append(("spot adrs-1080 \(policy.rawValue)", adrs, policy))
            }
            workloads.append(("spot leaderboard-1080 uniform-progress", board, .uniformProgress))
        } else {
            Log.note("reference data not found; benchmarking the default set only")
        }
        let defaults = try SpotScenarioSet.load(from: Locations.defaultSpotScenarios())
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
            return Bench.Row(name, clock: "cpu", m, scenarios: set.scenarios.count, ticks: ticks, meanCost: checksum)
        }
    }
}
