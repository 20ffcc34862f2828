import ArgumentParser
import CandidateAPI
import Foundation
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
            GPUs). Without --input, the embedded default history (traces/eplb/v3-history.json) is used.
            """
    )

    @Option(help: "Built-in policy: deepseek.")
    var policy: String = "deepseek"

    @Option(help: "An instance or a load history.")
    var input: String?

    @OptionGroup var shape: EPLBShapeOverride

    @Option(help: "Records per window of a load history (default: the file's, else 100).")
    var window: Int?

    @OptionGroup var output: OutputOptions

    func run() throws {
        guard policy == "deepseek" else { throw SimError.unknownPolicy(policy, known: ["deepseek"]) }
        let shape = try shape.checked()
        if let window, window < 1 { throw CLIError.invalidValue("--window", "\(window)", "must be positive") }
        let url = try input.map { try Locations.dataFile($0) } ?? Locations.defaultFile("traces/eplb/v3-history.json")
        switch try EPLBInputFile.load(from: url) {
        case .instance(let fileInput):
            try runInstance(shape.applied(to: EPLBShape(replicas: fileInput.replicas, groups: fileInput.groups,
                                                        nodes: fileInput.nodes, gpus: fileInput.gpus)).input(fileInput.weights))
        case .history(let history):
            guard let base = history.shape ?? (history.experts == 256 ? .deepSeekV3 : nil) ?? shape.complete else {
                throw CLIError.missingOption("--replicas, --groups, --nodes and --gpus",
                                             because: "for a load history that does not name its shape")
            }
            try runHistory(history, shape: shape.applied(to: base), file: url)
        }
    }

    struct InstanceReport: Encodable {
        var policy: String
        var phy2log: [[Int]]
        var logcnt: [[Int]]
        var log2phy: [[[Int]]]
        var balancedness_gpu: Double
        var balancedness_slot: Double
        var runtime_seconds: Double
    }

    private func runInstance(_ input: EPLBInput) throws {
        try DeepSeekEPLB.validate(input)
        let start = monotonicSeconds()
        let phy2log = DeepSeekEPLB.place(input)
        let runtime = monotonicSeconds() - start
        let placement = try EPLBPlacement(phy2log: phy2log, layers: input.layers, experts: input.experts,
                                          replicas: input.replicas)
        let balance = EPLBBalancedness(placement: placement, weights: input.weights, gpus: input.gpus)
        let report = InstanceReport(policy: policy, phy2log: placement.phy2log, logcnt: placement.logcnt,
                                    log2phy: placement.log2phy, balancedness_gpu: balance.gpu,
                                    balancedness_slot: balance.slot, runtime_seconds: runtime)
        if output.json { return try JSONOutput.print(report) }
        try JSONOutput.requireFinite(report)
        print("""
            \(policy): \(input.layers) layers × \(input.experts) experts → \(input.replicas) slots on \(input.gpus) GPUs
            balancedness per GPU \(fixed(balance.gpu, 6)), per slot \(fixed(balance.slot, 6)), runtime \(fixed(runtime * 1e3, 3)) ms
            phy2log: \(placement.phy2log)
            """)
    }

    struct HistoryReport: Encodable {
        struct Scored: Encodable {
            var placed_on_window: Int
            var scored_on_window: Int
            var balancedness_gpu: Double
            var balancedness_slot: Double
            var runtime_seconds: Double

            init(_ s: EPLBWindowScore) {
                placed_on_window = s.window
                scored_on_window = s.window + 1
                balancedness_gpu = s.balancedness.gpu
                balancedness_slot = s.balancedness.slot
                runtime_seconds = s.runtimeSeconds
            }
        }
        var policy: String
        var file: String
        var window: Int
        var windows: Int
        var mean_balancedness_gpu: Double
        var mean_balancedness_slot: Double
        var mean_runtime_seconds: Double
        var scored: [Scored]
    }

    private func runHistory(_ history: EPLBLoadHistory, shape: EPLBShape, file: URL) throws {
        let size = window ?? history.window ?? 100
        guard size > 0 else { throw SimError.invalidParameter(name: "--window", value: "\(size)", reason: "must be positive") }
        let windows = history.windows(size: size)
        guard windows.count >= 2 else {
            throw SimError.invalidParameter(name: "--window", value: "\(size)",
                                            reason: "leaves \(windows.count) window(s) of \(history.records.count) records; need 2")
        }
        try DeepSeekEPLB.validate(shape.input(windows[0]))
        let result = try EPLBEvaluation.run(windows: windows, shape: shape, policy: DeepSeekEPLB.place)
        let report = HistoryReport(
            policy: policy, file: file.path, window: size, windows: result.windows,
            mean_balancedness_gpu: result.meanGPU, mean_balancedness_slot: result.meanSlot,
            mean_runtime_seconds: result.meanRuntime,
            scored: result.scores.map(HistoryReport.Scored.init))
        if output.json { return try JSONOutput.print(report) }
        try JSONOutput.requireFinite(report)
        var table = TextTable(headers: ["placed on", "scored on", "balancedness GPU", "balancedness slot", "runtime ms"])
        for s in report.scored {
            table.append(["\(s.placed_on_window)", "\(s.scored_on_window)", fixed(s.balancedness_gpu, 6),
                          fixed(s.balancedness_slot, 6), fixed(s.runtime_seconds * 1e3, 3)])
        }
        print("""
            \(policy) on \(file.lastPathComponent): \(history.layers) layers × \(history.experts) experts, \
            \(windows.count) windows of \(size) records, \(shape.replicas) slots on \(shape.gpus) GPUs
            \(table.render())
            mean balancedness per GPU \(fixed(result.meanGPU, 6)), per slot \(fixed(result.meanSlot, 6)), \
            mean runtime \(fixed(result.meanRuntime * 1e3, 3)) ms
            """)
    }
}
