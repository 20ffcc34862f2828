import CandidateAPI
import SimCore

/// One placement computed from window i and scored on window i + 1.
public struct EPLBWindowScore: Sendable {
    public var window: Int
    /// The validated placement (with its derived maps).
    public var placement: EPLBPlacement
    public var balancedness: EPLBBalancedness
    /// Seconds spent in the placement algorithm alone.
    public var runtimeSeconds: Double

    public init(window: Int, placement: EPLBPlacement, balancedness: EPLBBalancedness, runtimeSeconds: Double) {
        self.window = window
        self.placement = placement
        self.balancedness = balancedness
        self.runtimeSeconds = runtimeSeconds
    }
}

/// A policy's results over a load history.
public struct EPLBHistoryResult: Sendable {
    public var windows: Int
    public var scores: [EPLBWindowScore]
    /// The fine level's step-level simulation of serving the history with these placements.
    public var serving: MoEStepResult? = nil

    public init(windows: Int, scores: [EPLBWindowScore]) {
        self.windows = windows
        self.scores = scores
    }

    public var meanGPU: Double { mean(scores.map(\.balancedness.gpu)) }
    public var meanSlot: Double { mean(scores.map(\.balancedness.slot)) }
    public var meanRuntime: Double { mean(scores.map(\.runtimeSeconds)) }

    private func mean(_ values: [Double]) -> Double {
        values.isEmpty ? 0 : values.reduce(0, +) / Double(values.count)
    }
}

public enum EPLBEvaluation {
    /// Places with `policy` on every window but the last and scores each placement on the next
    /// window (prediction is part of the task).
    ///
    /// - Parameter policy: returns `phy2log` for an input; the returned placement is validated.
    /// - Throws: `SimError` when a placement is invalid.
    public static func run(windows: [[[Double]]], shape: EPLBShape,
                           policy: (EPLBInput) throws -> [[Int]]) throws -> EPLBHistoryResult {
        var scores: [EPLBWindowScore] = []
        for i in 0 ..< max(windows.count - 1, 0) {
            let input = shape.input(windows[i])
            let start = monotonicSeconds()
            let phy2log = try policy(input)
            let runtime = monotonicSeconds() - start
            let placement = try EPLBPlacement(phy2log: phy2log, layers: input.layers, experts: input.experts,
                                              replicas: shape.replicas)
            scores.append(EPLBWindowScore(
                window: i, placement: placement, balancedness: EPLBBalancedness(placement: placement, weights: windows[i + 1], gpus: shape.gpus),
                runtimeSeconds: runtime))
        }
        return EPLBHistoryResult(windows: windows.count, scores: scores)
    }
}
