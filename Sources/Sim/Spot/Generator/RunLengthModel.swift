import SimCore

/// The distribution of how many consecutive ticks a trace stays in one state: a lognormal,
/// discretised by rounding to the nearest tick (at least 1).
///
/// Fitted by moments so that the mean run length — and so each state's long-run share of
/// ticks — matches the trace it was fitted to: `sigma` is the standard deviation of
/// `log(length)`, and `mu = log(mean length) − sigma² / 2`.
public struct RunLengthModel: Codable, Sendable, Equatable {
    /// Location of `log(length)`.
    public var mu: Double
    /// Scale of `log(length)`.
    public var sigma: Double

    public init(mu: Double, sigma: Double) {
        self.mu = mu
        self.sigma = sigma
    }

    /// Fits the model to observed run lengths (each ≥ 1), rounding both parameters to 6 decimals
    /// so they can be committed as plain numbers.
    /// - Complexity: O(n).
    public static func fit(_ lengths: [Int]) -> RunLengthModel {
        precondition(!lengths.isEmpty && lengths.allSatisfy { $0 >= 1 }, "need run lengths ≥ 1")
        let n = Double(lengths.count)
        let mean = Double(lengths.reduce(0, +)) / n
        let logs = lengths.map { _log(Double($0)) }
        let logMean = logs.reduce(0, +) / n
        let variance = logs.reduce(0) { $0 + ($1 - logMean) * ($1 - logMean) } / n
        let sigma = variance.squareRoot()
        return RunLengthModel(mu: round6(_log(mean) - sigma * sigma / 2), sigma: round6(sigma))
    }

    /// Draws one run length.
    /// - Complexity: O(1).
    public func sample(using rng: inout SeededGenerator) -> Int {
        let value = _exp(mu + sigma * rng.nextStandardNormal())
        return max(1, Int(min(value, 1e9).rounded()))
    }

    /// Expected run length of the discretised distribution's continuous parent, `exp(mu + sigma²/2)`.
    public var meanLength: Double { _exp(mu + sigma * sigma / 2) }

    static func round6(_ x: Double) -> Double { (x * 1e6).rounded() / 1e6 }
}
