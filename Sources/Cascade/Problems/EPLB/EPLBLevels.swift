import CandidateAPI
import Sim
import SimCore

/// The EPLB problem's three levels over one load history. The candidate always places experts
/// from a window's load; the levels change which windows it is asked about and how a placement
/// is scored.
///
/// - `cost_model`: every third window (every tenth of a research-scale history, over
///   `researchScale` windows), each placement scored on the load it was computed from
///   (`mean_balancedness_self`: no prediction involved).
/// - `coarse`: every second window (every fifth at research scale), each placement scored on
///   the next window — the public metric (`mean_balancedness_gpu`) on a sample.
/// - `fine`: every window; placement i serves window i + 1 in a step-level MoE inference
///   simulation (`MoEStepSimulation`): `throughput_tokens_per_second`, mean and p99 step time, moved experts, and
///   the public balancedness alongside.
public enum EPLBLevels {
    public static let researchScale = 20

    public static func make(windows: [[[Double]]], shape: EPLBShape) -> [EPLBFidelityLevel] {
        let placeable = Array(0 ..< max(windows.count - 1, 0))
        let research = placeable.count > researchScale
        let (costStride, coarseStride) = research ? (10, 5) : (3, 2)
        return [EPLBFidelityLevel(name: "cost_model", windows: windows, shape: shape,
                                  indices: placeable.filter { $0 % costStride == 0 }, scoring: .sameWindow),
                EPLBFidelityLevel(name: "coarse", windows: windows, shape: shape,
                                  indices: placeable.filter { $0 % coarseStride == 0 }, scoring: .nextWindow),
                EPLBFidelityLevel(name: "fine", windows: windows, shape: shape, indices: placeable,
                                  scoring: .serving(MoEStepModel()))]
    }
}

/// An EPLB level: the windows placed from, and how placements are scored.
public struct EPLBFidelityLevel: FidelityLevel {
    public enum Scoring: Sendable, Equatable {
        case sameWindow, nextWindow
        case serving(MoEStepModel)
    }

    public let name: String
    public let windows: [[[Double]]]
    public let shape: EPLBShape
    public let indices: [Int]
    public let scoring: Scoring
    /// The template's (DeepSeek's EPLB) metrics at this level.
    let reference: [String: Double]

    public init(name: String, windows: [[[Double]]], shape: EPLBShape, indices: [Int], scoring: Scoring) {
        self.name = name
        self.windows = windows
        self.shape = shape
        self.indices = indices
        self.scoring = scoring
        let placed = indices.map { i -> EPLBCandidateRunner.Placed in
            let input = shape.input(windows[i])
            // The inputs were validated when loaded, and DeepSeek's EPLB always places validly.
            guard let placement = try? EPLBPlacement(phy2log: DeepSeekEPLB.place(input), layers: input.layers,
                                                     experts: input.experts, replicas: shape.replicas) else {
                preconditionFailure("DeepSeek's EPLB placed window \(i) invalidly")
            }
            return EPLBCandidateRunner.Placed(window: i, placement: placement, runtimeSeconds: 0)
        }
        reference = Self.score(placed, windows: windows, shape: shape, scoring: scoring).metrics
    }

    public var metrics: [LevelMetric] {
        switch scoring {
        case .sameWindow: return [LevelMetric(name: "mean_balancedness_self", lowerIsBetter: false)]
        case .nextWindow: return [LevelMetric(name: "mean_balancedness_gpu", lowerIsBetter: false)]
        case .serving:
            return [LevelMetric(name: "throughput_tokens_per_second", lowerIsBetter: false), LevelMetric(name: "mean_step_ms", lowerIsBetter: true),
                    LevelMetric(name: "p99_step_ms", lowerIsBetter: true), LevelMetric(name: "moved_experts", lowerIsBetter: true),
                    LevelMetric(name: "mean_balancedness_gpu", lowerIsBetter: false)]
        }
    }
    public var primaryMetric: String { metrics[0].name }

    /// The placements' scores at this level, and the history result the fine level reports.
    static func score(_ placed: [EPLBCandidateRunner.Placed], windows: [[[Double]]], shape: EPLBShape, scoring: Scoring)
        -> (metrics: [String: Double], result: EPLBHistoryResult) {
        let scoredOn = { (p: EPLBCandidateRunner.Placed) in scoring == .sameWindow ? p.window : p.window + 1 }
        let scores = placed.map {
            EPLBWindowScore(window: $0.window, placement: $0.placement,
                            balancedness: EPLBBalancedness(placement: $0.placement, weights: windows[scoredOn($0)], gpus: shape.gpus),
                            runtimeSeconds: $0.runtimeSeconds)
        }
        var result = EPLBHistoryResult(windows: windows.count, scores: scores)
        switch scoring {
        case .sameWindow: return (["mean_balancedness_self": result.meanGPU], result)
        case .nextWindow: return (["mean_balancedness_gpu": result.meanGPU], result)
        case .serving(let model):
            let serving = MoEStepSimulation.run(windows: windows, placements: placed.map(\.placement), shape: shape, model: model)
            result.serving = serving
            return (["throughput_tokens_per_second": serving.throughput, "mean_step_ms": serving.meanStepSeconds * 1e3,
                     "p99_step_ms": serving.p99StepSeconds * 1e3, "moved_experts": Double(serving.movedExperts),
                     "mean_balancedness_gpu": result.meanGPU], result)
        }
    }

    public func run(_ candidate: CompiledCandidate, sandbox: Sandbox, budget: StageBudget?, test: SequentialTest?) throws
        -> LevelResult {
        let session = try sandbox.limited(to: budget).start(executable: candidate.executable)
        switch EPLBCandidateRunner(windows: windows, shape: shape).placements(session, at: indices) {
        case .failure(let failure):
            return LevelResult(level: name, metrics: [:], failure: failure, seconds: monotonicSeconds() - session.startTime,
                               score: nil, artifacts: [], log: session.logText)
        case .success(let placed):
            let (metrics, result) = Self.score(placed, windows: windows, shape: shape, scoring: scoring)
            let seconds = monotonicSeconds() - session.startTime  // scoring included
            return LevelResult(level: name, metrics: metrics, failure: nil, seconds: seconds, score: CandidateScore(result),
                               artifacts: name == "fine" ? notes(result) : [], log: session.logText,
                               items: (indices.count, indices.count))
        }
    }

    public func referenceMetrics() -> [String: Double] { reference }

    func notes(_ result: EPLBHistoryResult) -> [String] {
        guard let s = result.serving else { return [] }
        let r = reference
        func f(_ x: Double) -> String { String((x * 1000).rounded() / 1000 + 0.0) }
        return ["throughput \(f(s.throughput)) tokens/s vs DeepSeek's EPLB \(f(r["throughput_tokens_per_second"] ?? 0)); mean step "
                    + "\(f(s.meanStepSeconds * 1e3)) ms, p99 \(f(s.p99StepSeconds * 1e3)) ms over \(s.steps) steps",
                "\(s.movedExperts) expert replicas moved between windows (\(f(s.movingSeconds * 1e3)) ms of transfers); "
                    + "DeepSeek's EPLB moved \(Int(r["moved_experts"] ?? 0))"]
            + result.scores.map { "window \($0.window) → \($0.window + 1): balancedness \(f($0.balancedness.gpu))" }
    }
}
