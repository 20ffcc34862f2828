import Cascade
import CandidateAPI
import Foundation
import Sim

/// The inputs of a problem as named on the command line, loaded and checked.
struct ProblemInputs {
    var candidateInputs: CandidateInputs
    /// What the inputs are called in reports (a scenario set's name, a file).
    var label: String
    /// EPLB: a single instance, scored on its own weight.
    var isInstance = false

    static func load(_ problem: CandidateProblem, scenarios: String?, input: String?, window: Int?) throws -> ProblemInputs {
        switch problem {
        case .spot:
            let url = try scenarios.map(Locations.spotFile) ?? Locations.defaultSpotScenarios()
            let set = try SpotScenarioSet.load(from: url)
            return ProblemInputs(candidateInputs: .spot(set), label: set.name)
        case .eplb:
            let url = try input.map(Locations.dataFile) ?? Locations.defaultFile("traces/eplb/v3-history.json")
            switch try EPLBInputFile.load(from: url) {
            case .instance(let instance):
                let shape = EPLBShape(replicas: instance.replicas, groups: instance.groups, nodes: instance.nodes, gpus: instance.gpus)
                return ProblemInputs(candidateInputs: .eplb(windows: [instance.weights, instance.weights], shape: shape),
                                     label: url.lastPathComponent, isInstance: true)
            case .history(let history):
                guard let shape = history.shape ?? (history.experts == 256 ? .deepSeekV3 : nil) else {
                    throw SimError.malformedFile(url.path, reason: "a load history for eval must name its shape (num_replicas, num_groups, num_nodes, num_gpus)")
                }
                let size = window ?? history.window ?? 100
                guard size > 0 else { throw SimError.invalidParameter(name: "--window", value: "\(size)", reason: "must be positive") }
                let windows = history.windows(size: size)
                guard windows.count >= 2 else {
                    throw SimError.invalidParameter(name: "--window", value: "\(size)", reason: "leaves fewer than 2 windows")
                }
                try DeepSeekEPLB.validate(shape.input(windows[0]))
                return ProblemInputs(candidateInputs: .eplb(windows: windows, shape: shape), label: url.lastPathComponent)
            }
        case .prefix:
            let urls = try input.map { [try Locations.dataFile($0)] } ?? Locations.defaultPrefixTables()
            let tables = try urls.map { (name: $0.lastPathComponent, table: try PrefixTableFile.load(from: $0)) }
            return ProblemInputs(candidateInputs: .prefix(tables), label: urls.map(\.lastPathComponent).joined(separator: ", "))
        case .txn:
            let url = try input.map(Locations.dataFile) ?? Locations.defaultFile("traces/txn/workloads-default.json")
            return ProblemInputs(candidateInputs: .txn(try TxnWorkloadFile.load(from: url)), label: url.lastPathComponent)
        }
    }
}
