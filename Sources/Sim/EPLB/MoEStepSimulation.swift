import CandidateAPI
import SimCore

/// The fine EPLB model's parameters: DeepSeek-V3 on H800 GPUs.
///
/// Where the constants come from: `hidden` 7,168, `expertIntermediate` 2,048 and `topK` 8 are
/// DeepSeek-V3's (technical report, arXiv 2412.19437). An expert is three `hidden ×
/// expertIntermediate` matrices, so a token costs 2 · 3 · 7,168 · 2,048 ≈ 88 MFLOP per expert and
/// an expert's FP8 weights are 44 MB. `peakFlops` 1.5 PFLOP/s is the FP8 GEMM rate DeepGEMM reports
/// on H800 for large shapes; `hbmBytesPerSecond` 3.35 TB/s is the H800's HBM3. The NVLink (155 GB/s)
/// and InfiniBand (45 GB/s) rates are what DeepEP's README measures for its dispatch and combine
/// kernels. Assumptions, not measurements: `tokensPerStep` 8,192 (256 tokens per GPU on 32 GPUs, a
/// decoding batch), `stepsPerWindow` 16 simulated steps for each window, dispatch in FP8 (1 byte
/// per value) and combine in BF16 (2), and moved experts fetched over InfiniBand.
public struct MoEStepModel: Sendable, Equatable {
    public var hidden = 7168.0
    public var expertIntermediate = 2048.0
    public var topK = 8
    public var peakFlops = 1.5e15
    public var hbmBytesPerSecond = 3.35e12
    public var nvlinkBytesPerSecond = 155e9
    public var infinibandBytesPerSecond = 45e9
    public var tokensPerStep = 8192.0
    public var stepsPerWindow = 16

    public init() {}

    var flopsPerToken: Double { 2 * 3 * hidden * expertIntermediate }
    var expertBytes: Double { 3 * hidden * expertIntermediate }
    /// Rows a GEMM needs to be compute-bound: below that, reading the expert's weights from HBM
    /// takes longer than the arithmetic. A replica with m > 0 tokens costs (m + rows) tokens' time.
    var memoryBoundRows: Double { expertBytes / hbmBytesPerSecond * peakFlops / flopsPerToken }
}

/// What serving a load history with a sequence of placements cost.
public struct MoEStepResult: Sendable, Equatable {
    public var steps: Int
    public var tokens: Double
    public var seconds: Double
    public var meanStepSeconds: Double
    /// The 99th percentile of step times, interpolated between order statistics.
    public var p99StepSeconds: Double
    /// Slots whose expert changed between consecutive placements, and the time it took.
    public var movedExperts: Int
    public var movingSeconds: Double

    /// Tokens per second.
    public var throughput: Double { seconds > 0 ? tokens / seconds : 0 }
}

/// A step-level simulation of MoE inference under expert placements.
///
/// Placement i (computed from window i) serves window i + 1. Each of its `stepsPerWindow` steps
/// routes `tokensPerStep × topK` token-expert pairs per layer: expert e gets a count sampled
/// around its share of the window's load (normal approximation of the multinomial, seeded),
/// split evenly among its replicas. Per layer and GPU, compute = Σ over its busy replicas of
/// (tokens + `memoryBoundRows`) × FLOP per token / peak, and the all-to-all moves every token the
/// GPU receives (dispatch, FP8) and sends back (combine, BF16) — tokens come evenly from all GPUs,
/// those of its own node over NVLink, the others' over InfiniBand. A layer lasts as long as its
/// slowest GPU; a step is the sum of its layers. Changing the placement moves the weights of
/// every changed slot before the window's first step, the GPU with most to fetch setting the time.
/// Per-GPU totals are products of the per-slot matrix with the slot-to-GPU matrix (`Tensor.gemm`).
public enum MoEStepSimulation {
    /// - Parameters: `windows` the load history's windows; `placements[i]` computed from
    ///   `windows[i]`, for i in 0 ..< windows.count − 1.
    /// - Complexity: O(windows × steps × layers × (experts + slots × GPUs)).
    public static func run(windows: [[[Double]]], placements: [EPLBPlacement], shape: EPLBShape,
                           model: MoEStepModel = MoEStepModel(), seed: UInt64 = 0) -> MoEStepResult {
        precondition(placements.count == max(windows.count - 1, 0))
        let gpus = shape.gpus, slots = shape.replicas, perGPU = slots / gpus, perNode = gpus / shape.nodes
        var slotToGPU = Tensor<Double>(repeating: 0, shape: [slots, gpus])
        for s in 0..<slots { slotToGPU.scalars[s * gpus + s / perGPU] = 1 }
        let intraShare = Double(perNode - 1) / Double(gpus), interShare = Double(gpus - perNode) / Double(gpus)
        let bytesPerToken = model.hidden * (1 + 2)  // dispatch FP8 + combine BF16
        let secondsPerReceivedToken = bytesPerToken * (intraShare / model.nvlinkBytesPerSecond + interShare / model.infinibandBytesPerSecond)
        let rows = model.memoryBoundRows

        var stepTimes: [Double] = []
        var moved = 0, movingSeconds = 0.0
        for (i, placement) in placements.enumerated() {
            let load = windows[i + 1]
            let layers = placement.phy2log.count
            var firstStepExtra = 0.0
            if i > 0 {
                var fetched = [Int](repeating: 0, count: gpus)
                for layer in 0..<layers {
                    for s in 0..<slots where placement.phy2log[layer][s] != placements[i - 1].phy2log[layer][s] {
                        fetched[s / perGPU] += 1
                    }
                }
                moved += fetched.reduce(0, +)
                firstStepExtra = Double(fetched.max() ?? 0) * model.expertBytes / model.infinibandBytesPerSecond
                movingSeconds += firstStepExtra
            }
            var rng = SeededGenerator(seed: seed &+ UInt64(i) &* 0x9E37_79B9_7F4A_7C15)
            for step in 0..<model.stepsPerWindow {
                var tokens = Tensor<Double>(repeating: 0, shape: [layers, slots])
                var busy = Tensor<Double>(repeating: 0, shape: [layers, slots])
                for layer in 0..<layers {
                    let total = load[layer].reduce(0, +)
                    let pairs = model.tokensPerStep * Double(model.topK)
                    for e in load[layer].indices {
                        let p = total > 0 ? load[layer][e] / total : 1 / Double(load[layer].count)
                        let mean = pairs * p
                        let count = max(0, (mean + (mean * (1 - p)).squareRoot() * rng.nextStandardNormal()).rounded())
                        let replicas = placement.log2phy[layer][e].filter { $0 >= 0 }
                        for s in replicas {
                            let share = count / Double(replicas.count)
                            tokens.scalars[layer * slots + s] = share
                            busy.scalars[layer * slots + s] = share > 0 ? share + rows : 0
                        }
                    }
                }
                let received = Tensor.gemm(tokens, slotToGPU)  // layers × GPUs
                let effective = Tensor.gemm(busy, slotToGPU)
                var seconds = step == 0 ? firstStepExtra : 0
                for layer in 0..<layers {
                    var slowest = 0.0
                    for g in 0..<gpus {
                        let compute = effective.scalars[layer * gpus + g] * model.flopsPerToken / model.peakFlops
                        slowest = max(slowest, compute + received.scalars[layer * gpus + g] * secondsPerReceivedToken)
                    }
                    seconds += slowest
                }
                stepTimes.append(seconds)
            }
        }
        let total = stepTimes.reduce(0, +)
        let sorted = stepTimes.sorted()
        // Linear interpolation between order statistics (numpy's default), so that with fewer
        // than 100 steps the p99 is not simply the slowest step.
        var p99 = 0.0
        if !sorted.isEmpty {
            let position = 0.99 * Double(sorted.count - 1)
            let low = Int(position.rounded(.down)), high = min(low + 1, sorted.count - 1)
            p99 = sorted[low] + (sorted[high] - sorted[low]) * (position - Double(low))
        }
        return MoEStepResult(steps: stepTimes.count, tokens: Double(stepTimes.count) * model.tokensPerStep, seconds: total,
                             meanStepSeconds: stepTimes.isEmpty ? 0 : total / Double(stepTimes.count), p99StepSeconds: p99,
                             movedExperts: moved, movingSeconds: movingSeconds)
    }
}
