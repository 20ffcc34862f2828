import ArgumentParser
import CandidateAPI
import Foundation
import Cascade
import Sim
import SimCore

struct SimulateSpot: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spot",
        abstract: "Simulate a single-region spot policy on one trace window or a scenario set.",
        discussion: """
            With --trace, runs one window of one trace (the job options are then required). \
            With --scenarios, runs every scenario of a scenario file. With neither, runs the \
            embedded research-scale search set (43,200 scenarios from \
            traces/spot/research/manifest.json, generated at first use). Relative paths are \
            looked up in the working directory, then in the reference data's spot/single_region/.
            """
    )

    @Option(help: "Built-in policy: \(BuiltinSpotPolicy.allCases.map(\.rawValue).joined(separator: ", ")).")
    var policy: String

    @Option(help: "A trace file ({\"metadata\": {\"gap_seconds\": G}, \"data\": [0|1, ...]}).")
    var trace: String?

    @Option(help: "First tick of the window (with --trace).")
    var startTick: Int = 0

    @Option(help: "Window length in ticks (with --trace; default: to the end of the trace).")
    var ticks: Int?

    @Option(help: "Work the job needs, in hours (with --trace).")
    var taskHours: Double?

    @Option(help: "Deadline in hours from the window's start (with --trace).")
    var deadlineHours: Double?

    @Option(help: "Restart overhead in hours (with --trace).")
    var overheadHours: Double?

    @Option(help: "A scenario file (e.g. scenarios-adrs-1080.json).")
    var scenarios: String?

    @Flag(help: "With --trace, include the per-tick history.")
    var history = false

    @OptionGroup var output: OutputOptions

    func validate() throws {
        if trace != nil && scenarios != nil { throw CLIError.conflictingOptions("--trace", "--scenarios") }
        if trace == nil {
            let windowOnly = [("--start-tick", startTick != 0), ("--ticks", ticks != nil), ("--task-hours", taskHours != nil),
                              ("--deadline-hours", deadlineHours != nil), ("--overhead-hours", overheadHours != nil),
                              ("--history", history)]
            if let (option, _) = windowOnly.first(where: \.1) { throw CLIError.missingOption("--trace", because: "with \(option)") }
        } else if taskHours == nil || deadlineHours == nil || overheadHours == nil {
            let missing = [("--task-hours", taskHours), ("--deadline-hours", deadlineHours),
                           ("--overhead-hours", overheadHours)].filter { $0.1 == nil }.map(\.0)
            throw CLIError.missingOption(missing.joined(separator: ", "), because: "with --trace")
        }
    }

    func run() throws {
        let policy = try BuiltinSpotPolicy(named: self.policy)
        if let trace, let taskHours, let deadlineHours, let overheadHours {
            let job = try SpotJob(taskHours: taskHours, deadlineHours: deadlineHours, overheadHours: overheadHours)
            let report = try SpotWindowReport(policy, trace: SpotProblem.scenarioFile(trace, catalog: .standard),
                                              startTick: startTick, ticks: ticks, job: job, history: history)
            if output.json { return try JSONOutput.print(report) }
            print(report.text)
        } else {
            let set = try SpotScenarioSet.load(from: SpotProblem.scenarioFile(scenarios, catalog: .standard))
            let report = SpotSetReport(policy: policy.rawValue, set: set, outcome: policy.run(set))
            if output.json { return try JSONOutput.print(report) }
            print(report.text)
        }
    }
}
