import ArgumentParser
import Foundation
import Cascade
import Sim
import SimCore

struct CompareSpot: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spot",
        abstract: "Compare single-region spot policies on a scenario set (default: the embedded set)."
    )

    @Option(help: "Comma-separated built-in policies.")
    var policies: String = "uniform-progress,greedy"

    @Option(help: "A scenario file (default: traces/spot/scenarios-default.json).")
    var scenarios: String?

    @OptionGroup var output: OutputOptions

    struct Row: Encodable {
        var policy: String
        var mean_cost: Double
        var std_cost: Double
        var deadline_misses: Int
        var savings_vs_on_demand_percent: Double
    }

    struct Report: Encodable {
        var scenario_set: String
        var file: String
        var count: Int
        var on_demand_mean_cost: Double
        var policies: [Row]
    }

    func run() throws {
        let names = policies.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !names.isEmpty else {
            throw SimError.invalidParameter(name: "--policies", value: policies, reason: "names no policy")
        }
        let chosen = try names.map(BuiltinSpotPolicy.init(named:))
        let url = try SpotProblem.scenarioFile(scenarios, catalog: .standard)
        let set = try SpotScenarioSet.load(from: url)
        let baseline = BuiltinSpotPolicy.onDemand.run(set).meanCost
        let rows = chosen.map { policy -> Row in
            let outcome = policy.run(set)
            return Row(policy: policy.rawValue, mean_cost: outcome.meanCost, std_cost: outcome.stdCost,
                       deadline_misses: outcome.deadlineMisses,
                       savings_vs_on_demand_percent: (1 - outcome.meanCost / baseline) * 100)
        }
        let report = Report(scenario_set: set.name, file: url.path, count: set.scenarios.count,
                            on_demand_mean_cost: baseline, policies: rows)
        if output.json { return try JSONOutput.print(report) }
        var table = TextTable(headers: ["policy", "mean cost $", "std $", "deadline misses", "saved vs on-demand"])
        for row in rows {
            table.append([row.policy, fixed(row.mean_cost, 4), fixed(row.std_cost, 4),
                          "\(row.deadline_misses)", fixed(row.savings_vs_on_demand_percent, 1) + " %"])
        }
        print("""
            \(set.name): \(set.scenarios.count) scenarios from \(url.path)
            on-demand only: \(fixed(baseline, 4)) $ per scenario
            \(table.render())
            """)
    }
}
