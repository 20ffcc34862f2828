import Sim
import SimCore

/// How a gate decides from part of a stage's inputs (`"sequential"` in a gates file).
public struct SequentialSettings: Sendable, Equatable, Codable {
    /// Batches the stage's sampling units are split into.
    public var batches: Int
    /// Confidence that no early decision is wrong: the `batches − 1` interim looks share its
    /// error rate (Bonferroni), each with a two-sided t-interval. The last look is exact.
    public var confidence: Double
    /// Seeds the random order of the units.
    public var seed: UInt64

    public init(batches: Int = 4, confidence: Double = 0.95, seed: UInt64 = 0) {
        self.batches = batches
        self.confidence = confidence
        self.seed = seed
    }

    public init(from decoder: any Decoder) throws {
        let values = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = SequentialSettings()
        batches = try values.decodeIfPresent(Int.self, forKey: .batches) ?? defaults.batches
        confidence = try values.decodeIfPresent(Double.self, forKey: .confidence) ?? defaults.confidence
        seed = try values.decodeIfPresent(UInt64.self, forKey: .seed) ?? defaults.seed
    }
}

/// A gate decided batch by batch.
///
/// A stage's metric is a mean over items (spot: scenarios), and its gate rejects when the mean
/// is worse than `factor` × the reference's mean over the same items; equivalently, when the
/// total excess `T = Σ (value − factor × reference)` over all items is positive (lower is
/// better). Items come in sampling units (spot: every scenario on one base trace, which must run
/// together so no window can reveal another's future), and units are run in a seeded random
/// order. After each batch, a t-interval on `T` — the cluster-sample estimate `C · mean(D_u)`
/// over the `n` units run, with the finite-population correction `1 − n/C` — decides:
/// the whole interval on the rejecting side stops the candidate; the whole interval on the
/// passing side skips the rest of the stage (where `mayPassEarly`); else the next batch runs.
/// With every unit run the interval is the exact total, so the decision is the full gate's.
///
/// The seed is fixed per gate and public, so every candidate sees the same first batch: an
/// evolved policy could fit it and pass a cheap stage early. That costs compute, never score —
/// the candidate still faces every scenario of the fine level.
public struct SequentialTest: Sendable {
    public enum Decision: String, Sendable {
        case reject, pass, undecided
    }

    /// One sampling unit's sums over its items: the candidate's metric and the reference's.
    public struct Unit: Sendable {
        public var value: Double
        public var reference: Double
        public var items: Int

        public init(value: Double, reference: Double, items: Int) {
            self.value = value
            self.reference = reference
            self.items = items
        }
    }

    /// The decision and the interval it rests on, as a mean excess per item over the gate
    /// (positive = worse than the gate, whichever way the metric goes).
    public struct Verdict: Sendable {
        public var decision: Decision
        public var meanExcess: ClosedRange<Double>
        public var unitsRun: Int
        public var unitsTotal: Int
    }

    public var settings: SequentialSettings
    public var factor: Double
    public var lowerIsBetter: Bool
    /// Whether a surely passing candidate may skip the rest of the stage (not at the last stage,
    /// whose full result is the candidate's score).
    public var mayPassEarly: Bool

    public init(settings: SequentialSettings, factor: Double, lowerIsBetter: Bool, mayPassEarly: Bool) {
        self.settings = settings
        self.factor = factor
        self.lowerIsBetter = lowerIsBetter
        self.mayPassEarly = mayPassEarly
    }

    /// Decides from the units run so far, out of `unitsTotal` units holding `itemsTotal` items.
    /// - Complexity: O(n) plus one t quantile.
    public func decide(_ units: [Unit], unitsTotal: Int, itemsTotal: Int) -> Verdict {
        precondition(itemsTotal > 0 && unitsTotal > 0, "a stage has items")
        let sign = lowerIsBetter ? 1.0 : -1.0
        let excess = units.map { sign * ($0.value - factor * $0.reference) }
        let n = excess.count
        let total = Double(unitsTotal)
        let mean = excess.reduce(0, +) / Double(max(n, 1))
        let estimate = total * mean / Double(itemsTotal)
        let halfWidth: Double
        if n >= unitsTotal {
            halfWidth = 0
        } else if n < 2 {
            halfWidth = .infinity
        } else {
            let variance = excess.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n - 1)
            let perLook = (1 - settings.confidence) / Double(max(1, settings.batches - 1))
            let t = StudentT.quantile(1 - perLook / 2, degreesOfFreedom: n - 1)
            halfWidth = t * total * (variance * (1 - Double(n) / total) / Double(n)).squareRoot() / Double(itemsTotal)
        }
        let interval = (estimate - halfWidth)...(estimate + halfWidth)
        let decision: Decision
        if interval.lowerBound > 0 {
            decision = .reject
        } else if interval.upperBound <= 0 && (mayPassEarly || n >= unitsTotal) {
            decision = .pass
        } else {
            decision = .undecided
        }
        return Verdict(decision: decision, meanExcess: interval, unitsRun: n, unitsTotal: unitsTotal)
    }

    /// Units `0..<count` in a seeded random order, split into `settings.batches` batches of
    /// near-equal size (fewer when there are fewer units).
    public func batches(ofUnits count: Int) -> [[Int]] {
        var order = Array(0..<count)
        var rng = SeededGenerator(seed: settings.seed)
        rng.shuffle(&order)
        let k = max(1, min(settings.batches, count))
        return (0..<k).map { b in Array(order[(b * count / k) ..< ((b + 1) * count / k)]) }
    }
}
