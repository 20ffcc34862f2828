import ArgumentParser
import Foundation
import Sim

struct SimulateSpotMulti: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spot-multi",
        abstract: "Simulate a multi-region spot policy on a multi-region scenario set.",
        discussion: """
            The score is the mean over scenarios of the mean cost over each scenario's traces. \
            --model reference reproduces the public evaluator exactly (including its billing \
            defects); --model corrected (the default) bills each tick once where it ran, shows a \
            policy one region, binds a running instance to its region and counts late finishes \
            (see docs/problems/spot-multi.md). Relative paths are looked up in the working directory, then \
            in the reference data's spot/multi_region/. Default: traces/spot-multi/scenarios-default.json.
            """
    )

    @Option(help: "Built-in policy: \(BuiltinMultiRegionPolicy.allCases.map(\.rawValue).joined(separator: ", ")).")
    var policy: String

    @Option(help: "A multi-region scenario file (e.g. scenarios-leaderboard-multi.json).")
    var scenarios: String?

    @Option(help: "reference or corrected.")
    var model: MultiRegionModel = .corrected

    @Option(help: "corrected model: extra overhead when a running instance moves to another region, in hours.")
    var migrationOverheadHours: Double = 0

    @OptionGroup var output: OutputOptions

    func run() throws {
        let policy = try BuiltinMultiRegionPolicy(named: self.policy)
        let migration = try model.migrationSeconds(hours: migrationOverheadHours)
        let set = try MultiRegionScenarioSet.load(from: try Locations.spotMultiScenarios(scenarios))
        let result = policy.run(set, model: model, migrationOverheadSeconds: migration)
        let report = MultiRegionReport(policy: policy.rawValue, model: model, set: set, result: result)
        if output.json { return try JSONOutput.print(report) }
        print(report.text)
    }

}

/// `--model reference|corrected` of `simulate`, `eval` and `calibrate`.
extension MultiRegionModel: ExpressibleByArgument {
    /// `--migration-overhead-hours` in seconds, checked against the model.
    func migrationSeconds(hours: Double) throws -> Double {
        guard hours.isFinite, hours >= 0, hours <= SpotJob.maximumHours else {
            throw CLIError.invalidValue("--migration-overhead-hours", "\(hours)", "must be a number of hours ≥ 0")
        }
        if hours > 0 && self == .reference {
            throw CLIError.conflictingOptions("--migration-overhead-hours", "--model reference (which has no migration overhead)")
        }
        return hours * 3600
    }
}

/// `simulate spot-multi`'s output (and `eval --problem spot-multi`'s fields).
struct MultiRegionReport: Encodable {
    struct Scenario: Encodable { var name: String; var mean_cost: Double }
    struct Run: Encodable { var scenario: String; var trace: Int; var cost: Double; var finish_hours: Double; var deadline_met: Bool }
    var policy: String
    var model: String
    var scenario_set: String
    var mean_cost: Double
    var deadline_misses: Int
    var scenarios: [Scenario]
    var results: [Run]

    init(policy: String, model: MultiRegionModel, set: MultiRegionScenarioSet, result: MultiRegionSetResult) {
        self.policy = policy
        self.model = model.rawValue
        scenario_set = set.name
        mean_cost = result.meanCost
        deadline_misses = result.deadlineMisses
        scenarios = result.scenarioMeans.map { Scenario(name: $0.name, mean_cost: $0.meanCost) }
        results = zip(result.runs, result.results).map { run, r in
            Run(scenario: run.scenario, trace: run.traceIndex, cost: r.cost, finish_hours: Double(r.endTick) * set.gapSeconds / 3600,
                deadline_met: r.deadlineMet)
        }
    }

    var text: String {
        var table = TextTable(headers: ["scenario", "mean cost ($)"])
        for s in scenarios { table.append([s.name, fixed(s.mean_cost, 4)]) }
        return "\(policy) on \(scenario_set) (\(model) model): mean cost \(fixed(mean_cost, 4)) $, "
            + "\(deadline_misses) deadline miss\(deadline_misses == 1 ? "" : "es") in \(results.count) runs\n" + table.render()
    }
}
