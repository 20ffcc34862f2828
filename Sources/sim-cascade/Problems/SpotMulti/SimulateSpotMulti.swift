import ArgumentParser
import Foundation
import Cascade
import Sim
import SimCore

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
            in the reference data's spot/multi_region/. Default: the research-scale search set (240 runs, generated at first use from traces/spot-multi/research/manifest.json).
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
        let set = try MultiRegionScenarioSet.load(from: try SpotMultiProblem.scenarioFile(scenarios, catalog: .standard))
        let result = policy.run(set, model: model, migrationOverheadSeconds: migration)
        let report = MultiRegionReport(policy: policy.rawValue, model: model, set: set, result: result)
        if output.json { return try JSONOutput.print(report) }
        print(report.text)
    }

}

/// `--model reference|corrected` of `simulate`, `eval` and `calibrate`.
extension MultiRegionModel: ExpressibleByArgument {}
