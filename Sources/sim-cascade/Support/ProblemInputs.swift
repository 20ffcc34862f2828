import ArgumentParser
import Cascade
import CandidateAPI
import Foundation
import Sim
import SimCore

/// The inputs of a problem as named on the command line, loaded and checked.
struct ProblemInputs {
    var candidateInputs: CandidateInputs
    /// What the inputs are called in reports (a scenario set's name, a file).
    var label: String
    /// EPLB: a single instance, scored on its own weight.
    var isInstance = false
    /// EPLB: records per window of a history.
    var window: Int?

    static func load(_ problem: CandidateProblem, scenarios: String?, input: String?, window: Int?,
                     shape override: EPLBShapeOverride, model: MultiRegionModel = .corrected,
                     migrationOverheadSeconds: Double = 0) throws -> ProblemInputs {
        if problem != .eplb && (window != nil || !override.isEmpty) {
            throw CLIError.missingOption("--problem eplb", because: "with --window, --replicas, --groups, --nodes or --gpus")
        }
        let override = try override.checked()
        if let window, window < 1 { throw CLIError.invalidValue("--window", "\(window)", "must be positive") }
        switch problem {
        case .spot:
            let url = try scenarios.map(Locations.spotFile) ?? Locations.defaultSpotScenarios()
            let set = try SpotScenarioSet.load(from: url)
            return ProblemInputs(candidateInputs: .spot(set), label: set.name)
        case .spotMulti:
            let set = try MultiRegionScenarioSet.load(from: try Locations.spotMultiScenarios(scenarios))
            return ProblemInputs(candidateInputs: .spotMulti(set, model: model, migrationOverheadSeconds: migrationOverheadSeconds),
                                 label: set.name)
        case .eplb:
            let url = try input.map { try Locations.dataFile($0) } ?? Locations.defaultFile("traces/eplb/v3-history.json")
            switch try EPLBInputFile.load(from: url) {
            case .instance(let instance):
                if window != nil { throw CLIError.conflictingOptions("--window", "a single instance") }
                let shape = override.applied(to: EPLBShape(replicas: instance.replicas, groups: instance.groups,
                                                           nodes: instance.nodes, gpus: instance.gpus))
                try DeepSeekEPLB.validate(shape.input(instance.weights))
                return ProblemInputs(candidateInputs: .eplb(windows: [instance.weights, instance.weights], shape: shape),
                                     label: url.lastPathComponent, isInstance: true)
            case .history(let history):
                guard let base = history.shape ?? (history.experts == 256 ? .deepSeekV3 : nil) ?? override.complete else {
                    throw CLIError.missingOption("--replicas, --groups, --nodes and --gpus",
                                                 because: "for a load history that does not name its shape")
                }
                let shape = override.applied(to: base)
                let size = window ?? history.window ?? 100
                guard size > 0 else { throw SimError.invalidParameter(name: "--window", value: "\(size)", reason: "must be positive") }
                let windows = history.windows(size: size)
                guard windows.count >= 2 else {
                    throw SimError.invalidParameter(name: "--window", value: "\(size)", reason: "leaves fewer than 2 windows")
                }
                try DeepSeekEPLB.validate(shape.input(windows[0]))
                return ProblemInputs(candidateInputs: .eplb(windows: windows, shape: shape), label: url.lastPathComponent,
                                     window: size)
            }
        case .prefix:
            let urls = try input.map { [try Locations.dataFile($0)] } ?? Locations.defaultPrefixTables()
            let tables = try urls.map { (name: $0.lastPathComponent, table: try PrefixTableFile.load(from: $0)) }
            return ProblemInputs(candidateInputs: .prefix(tables), label: urls.map(\.lastPathComponent).joined(separator: ", "))
        case .txn:
            let url = try input.map { try Locations.dataFile($0) } ?? Locations.defaultFile("traces/txn/workloads-default.json")
            return ProblemInputs(candidateInputs: .txn(try TxnWorkloadFile.load(from: url)), label: url.lastPathComponent)
        }
    }
}

/// `--problem` and `init PROBLEM` take a problem by name; help lists every name.
extension CandidateProblem: ExpressibleByArgument {}

/// `--replicas/--groups/--nodes/--gpus`, each overriding the file's value; shared by
/// `simulate eplb` and `eval`.
struct EPLBShapeOverride: ParsableArguments {
    @Option(help: "eplb: physical replicas per layer (overrides the file; 1…\(EPLBLimits.replicas)).")
    var replicas: Int?
    @Option(help: "eplb: expert groups (overrides the file; 1…\(EPLBLimits.groups)).")
    var groups: Int?
    @Option(help: "eplb: nodes (overrides the file; 1…\(EPLBLimits.nodes)).")
    var nodes: Int?
    @Option(help: "eplb: GPUs (overrides the file; 1…\(EPLBLimits.gpus)).")
    var gpus: Int?

    var isEmpty: Bool { replicas == nil && groups == nil && nodes == nil && gpus == nil }

    /// Each given value within its limit — checked before any file is read.
    /// - Throws: `CLIError.invalidValue` naming the option as given.
    func checked() throws -> Self {
        for ((option, limit), value) in zip(EPLBLimits.byOption, [replicas, groups, nodes, gpus]) {
            if let value, !(1...limit).contains(value) {
                throw CLIError.invalidValue(option, "\(value)", "must be in [1, \(limit)] (\(EPLBLimits.summary))")
            }
        }
        return self
    }

    /// The shape these options give alone, when all four are set.
    var complete: EPLBShape? {
        guard let replicas, let groups, let nodes, let gpus else { return nil }
        return EPLBShape(replicas: replicas, groups: groups, nodes: nodes, gpus: gpus)
    }

    func applied(to base: EPLBShape) -> EPLBShape {
        EPLBShape(replicas: replicas ?? base.replicas, groups: groups ?? base.groups, nodes: nodes ?? base.nodes,
                  gpus: gpus ?? base.gpus)
    }
}
