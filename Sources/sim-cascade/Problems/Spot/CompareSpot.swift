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

    @Option(help: "A scenario file (default: the research-scale search set; the small one is traces/spot/scenarios-small.json).")
    var scenarios: String?

    @OptionGroup var output: OutputOptions

    func run() throws {
        let names = policies.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !names.isEmpty else {
            throw SimError.invalidParameter(name: "--policies", value: policies, reason: "names no policy")
        }
        let chosen = try names.map(BuiltinSpotPolicy.init(named:))
        let report = SpotComparison(chosen, on: try SpotScenarioSet.load(from: SpotProblem.scenarioFile(scenarios, catalog: .standard)))
        if output.json { return try JSONOutput.print(report) }
        print(report.text)
    }
}
