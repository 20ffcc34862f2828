import Cascade
import Foundation

/// Which children that a cheap level stopped `evolve` also runs through every level they did
/// not reach, ungated (the fine one is what the fine level alone says), so that its report can
/// state what fine-only evaluation would have cost and which good children the gates lost
/// (`--counterfactual`). The choice is a seeded hash of the child's
/// source: the same run gives the same store, whatever the timing.
public struct CounterfactualSampling: Sendable, Equatable, Codable {
    /// The share of stopped children sampled, 0…1 (1: all, 0: none).
    public var share: Double
    public var seed: UInt64

    /// A tenth of the stopped children: the report's estimate costs about a tenth of what the
    /// cascade saved.
    public static let defaultShare = 0.1

    public init(share: Double, seed: UInt64) {
        self.share = share
        self.seed = seed
    }

    /// Whether the stopped child `source` is run through the fine level.
    /// - Complexity: O(source length).
    public func samples(_ source: String) -> Bool {
        guard share > 0 else { return false }
        guard share < 1 else { return true }
        var hash = FNV1a()
        withUnsafeBytes(of: seed.littleEndian) { hash.combine($0) }
        hash.combine(Array(source.utf8))
        return Double(hash.value >> 11) / Double(1 << 53) < share
    }
}

extension EvaluationRecord {
    /// The stage names of a sampled stopped child's runs of the levels the cascade did not reach
    /// (`counterfactual_LEVEL`, ungated): measurements, never the child's score.
    public static let counterfactualPrefix = "counterfactual_"
    /// Its fine level's run: what the fine level alone would have said.
    public static let counterfactualStage = "counterfactual_fine"

    public var isCounterfactual: Bool { stage.hasPrefix(Self.counterfactualPrefix) }

    /// The level the record measured: its stage, without the counterfactual prefix.
    public var level: String { isCounterfactual ? String(stage.dropFirst(Self.counterfactualPrefix.count)) : stage }

    /// The metric `name` as `CascadeEvaluation` wrote it (`[String: Double]` JSON), or `nil`.
    public func metric(_ name: String) -> Double? {
        (try? JSONDecoder().decode([String: Double].self, from: Data(metrics.utf8)))?[name]
    }
}
