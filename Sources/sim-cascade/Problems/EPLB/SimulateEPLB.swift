import ArgumentParser
import CandidateAPI
import Foundation
import Cascade
import Sim
import SimCore

struct SimulateEPLB: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eplb",
        abstract: "Place MoE expert replicas with a built-in policy and score the balance.",
        discussion: """
            --input is a single instance (DeepSeek README format: weight, num_replicas, num_groups, \
            num_nodes, num_gpus), scored on its own weight; or a load history ({"load_history": \
            [{"logical_expert_load": [[…]]}, …]}), cut into windows of --window records, each \
            window's placement scored on the next window. A history takes its shape from the file \
            (num_replicas, num_groups, num_nodes, num_gpus), else from the options; one with 256 \
            experts and no shape is taken to be DeepSeek-V3's (288 replicas, 8 groups, 4 nodes, 32 \
            GPUs). Without --input, the embedded research-scale V3 history (60 records of 100 serving steps, generated at first use from traces/eplb/research/manifest.json) is used.
            """
    )

    @Option(help: "Built-in policy: deepseek.")
    var policy: String = "deepseek"

    @Option(help: "An instance or a load history.")
    var input: String?

    @OptionGroup var shape: EPLBShapeOptions

    @Option(help: "Records per window of a load history (default: the file's, else 100).")
    var window: Int?

    @OptionGroup var output: OutputOptions

    func run() throws {
        guard policy == "deepseek" else { throw SimError.unknownPolicy(policy, known: ["deepseek"]) }
        var settings = shape.settings
        settings["window"] = window.map { "\(String($0))" }
        let catalog = InputCatalog.standard
        let url = try EPLBProblem.inputFile(input, catalog: catalog)
        let inputs = try EPLBProblem().loadInputs(InputRequest(file: url.path, settings: settings), catalog: catalog).value
        if inputs.isInstance {
            let report = try EPLBInstanceReport(policy: policy, input: inputs.shape.input(inputs.windows[0]))
            if output.json { return try JSONOutput.print(report) }
            try JSONOutput.requireFinite(report)
            print(report.text)
        } else {
            let report = try EPLBHistoryReport(policy: policy, file: url, inputs: inputs)
            if output.json { return try JSONOutput.print(report) }
            try JSONOutput.requireFinite(report)
            print(report.text)
        }
    }
}
