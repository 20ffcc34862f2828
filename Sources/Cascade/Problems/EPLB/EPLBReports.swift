import CandidateAPI
import Foundation
import Sim
import SimCore

/// One placement of a history: the window it was computed from, the next one it was scored on.
public struct EPLBScoredWindow: Encodable, Sendable {
    public var placedOnWindow: Int
    public var scoredOnWindow: Int
    public var balancednessGPU: Double
    public var balancednessSlot: Double
    public var runtimeSeconds: Double

    enum CodingKeys: String, CodingKey {
        case placedOnWindow = "placed_on_window", scoredOnWindow = "scored_on_window", balancednessGPU = "balancedness_gpu"
        case balancednessSlot = "balancedness_slot", runtimeSeconds = "runtime_seconds"
    }

    public init(_ s: EPLBWindowScore) {
        placedOnWindow = s.window
        scoredOnWindow = s.window + 1
        balancednessGPU = s.balancedness.gpu
        balancednessSlot = s.balancedness.slot
        runtimeSeconds = s.runtimeSeconds
    }
}

/// The fine EPLB level's step-level serving simulation, in a report.
public struct EPLBServingReport: Encodable, Sendable {
    public var throughputTokensPerSecond: Double
    public var meanStepMs: Double
    public var p99StepMs: Double
    public var steps: Int
    public var movedExperts: Int
    public var movingMs: Double

    enum CodingKeys: String, CodingKey {
        case steps, throughputTokensPerSecond = "throughput_tokens_per_second", meanStepMs = "mean_step_ms"
        case p99StepMs = "p99_step_ms", movedExperts = "moved_experts", movingMs = "moving_ms"
    }

    public init(_ s: MoEStepResult) {
        throughputTokensPerSecond = s.throughput
        meanStepMs = s.meanStepSeconds * 1e3
        p99StepMs = s.p99StepSeconds * 1e3
        steps = s.steps
        movedExperts = s.movedExperts
        movingMs = s.movingSeconds * 1e3
    }
}

/// `simulate eplb` on one instance: the placement and its balance on the instance's own weight.
public struct EPLBInstanceReport: Encodable, Sendable {
    public var policy: String
    public var placement: EPLBPlacement
    public var balancedness: EPLBBalancedness
    public var runtimeSeconds: Double
    let input: EPLBInput

    enum CodingKeys: String, CodingKey {
        case policy, phy2log, logcnt, log2phy, balancednessGPU = "balancedness_gpu", balancednessSlot = "balancedness_slot"
        case runtimeSeconds = "runtime_seconds"
    }

    /// Places `input` with DeepSeek's EPLB and scores it.
    /// - Throws: `SimError` for an input the placement cannot serve.
    public init(policy: String, input: EPLBInput) throws {
        try DeepSeekEPLB.validate(input)
        let start = monotonicSeconds()
        let phy2log = DeepSeekEPLB.place(input)
        runtimeSeconds = monotonicSeconds() - start
        placement = try EPLBPlacement(phy2log: phy2log, layers: input.layers, experts: input.experts, replicas: input.replicas)
        balancedness = EPLBBalancedness(placement: placement, weights: input.weights, gpus: input.gpus)
        self.policy = policy
        self.input = input
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(policy, forKey: .policy)
        try c.encode(placement.phy2log, forKey: .phy2log)
        try c.encode(placement.logcnt, forKey: .logcnt)
        try c.encode(placement.log2phy, forKey: .log2phy)
        try c.encode(balancedness.gpu, forKey: .balancednessGPU)
        try c.encode(balancedness.slot, forKey: .balancednessSlot)
        try c.encode(runtimeSeconds, forKey: .runtimeSeconds)
    }

    public var text: String {
        """
        \(policy): \(input.layers) layers × \(input.experts) experts → \(input.replicas) slots on \(input.gpus) GPUs
        balancedness per GPU \(fixed(balancedness.gpu, 6)), per slot \(fixed(balancedness.slot, 6)), runtime \(fixed(runtimeSeconds * 1e3, 3)) ms
        phy2log: \(placement.phy2log)
        """
    }
}

/// `simulate eplb` on a load history: each window's placement scored on the next window.
public struct EPLBHistoryReport: Encodable, Sendable {
    public var policy: String
    public var file: String
    public var window: Int
    public var windows: Int
    public var meanBalancednessGPU: Double
    public var meanBalancednessSlot: Double
    public var meanRuntimeSeconds: Double
    public var scored: [EPLBScoredWindow]
    let summary: String

    enum CodingKeys: String, CodingKey {
        case policy, file, window, windows, scored
        case meanBalancednessGPU = "mean_balancedness_gpu", meanBalancednessSlot = "mean_balancedness_slot"
        case meanRuntimeSeconds = "mean_runtime_seconds"
    }

    /// Runs DeepSeek's EPLB over `inputs`' windows.
    /// - Throws: `SimError` for windows the placement cannot serve.
    public init(policy: String, file: URL, inputs: EPLBProblem.Inputs) throws {
        let result = try EPLBEvaluation.run(windows: inputs.windows, shape: inputs.shape, policy: DeepSeekEPLB.place)
        let first = inputs.windows[0]
        self.policy = policy
        self.file = file.path
        window = inputs.window ?? 0
        windows = result.windows
        meanBalancednessGPU = result.meanGPU
        meanBalancednessSlot = result.meanSlot
        meanRuntimeSeconds = result.meanRuntime
        scored = result.scores.map(EPLBScoredWindow.init)
        summary = "\(policy) on \(file.lastPathComponent): \(first.count) layers × \(first.first?.count ?? 0) experts, "
            + "\(inputs.windows.count) windows of \(window) records, \(inputs.shape.replicas) slots on \(inputs.shape.gpus) GPUs"
    }

    public var text: String {
        var table = TextTable(headers: ["placed on", "scored on", "balancedness GPU", "balancedness slot", "runtime ms"])
        for s in scored {
            table.append(["\(s.placedOnWindow)", "\(s.scoredOnWindow)", fixed(s.balancednessGPU, 6),
                          fixed(s.balancednessSlot, 6), fixed(s.runtimeSeconds * 1e3, 3)])
        }
        return """
            \(summary)
            \(table.render())
            mean balancedness per GPU \(fixed(meanBalancednessGPU, 6)), per slot \(fixed(meanBalancednessSlot, 6)), \
            mean runtime \(fixed(meanRuntimeSeconds * 1e3, 3)) ms
            """
    }
}
