import ArgumentParser
import Cascade
import Sim
import SimCore

/// `--replicas/--groups/--nodes/--gpus`, each overriding the file's value; shared by
/// `simulate eplb`, `eval` and `evolve`.
struct EPLBShapeOptions: ParsableArguments {
    @Option(help: "eplb: physical replicas per layer (overrides the file; 1…\(EPLBLimits.replicas)).")
    var replicas: Int?
    @Option(help: "eplb: expert groups (overrides the file; 1…\(EPLBLimits.groups)).")
    var groups: Int?
    @Option(help: "eplb: nodes (overrides the file; 1…\(EPLBLimits.nodes)).")
    var nodes: Int?
    @Option(help: "eplb: GPUs (overrides the file; 1…\(EPLBLimits.gpus)).")
    var gpus: Int?

    var override: EPLBProblem.ShapeOverride {
        EPLBProblem.ShapeOverride(replicas: replicas, groups: groups, nodes: nodes, gpus: gpus)
    }

    /// The given values as input settings.
    var settings: [String: String] {
        var settings: [String: String] = [:]
        for (name, value) in zip(EPLBProblem.ShapeOverride.options, [replicas, groups, nodes, gpus]) {
            if let value { settings[name] = "\(value)" }
        }
        return settings
    }

    /// Each value in its range, checked before anything is read.
    func validate() throws { _ = try override.checked() }
}
