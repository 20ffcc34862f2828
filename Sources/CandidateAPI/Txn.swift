// The transaction-scheduling problem as a candidate sees it (conflict makespan, VLDB'24).

/// What one operation of a transaction does.
public enum TxnOpKind: UInt8, Sendable {
    case read = 0
    case write = 1
    /// A unit-time operation on no key.
    case compute = 2
}

/// One operation: its kind and, unless it is `compute`, the key it touches (keys are numbered
/// 0..<keyCount in order of first appearance).
public struct TxnOp: Sendable, Equatable {
    public var kind: TxnOpKind
    /// The key, or -1 for `compute`.
    public var key: Int32

    @inlinable
    public init(kind: TxnOpKind, key: Int32) {
        self.kind = kind
        self.key = key
    }
}

/// A batch of transactions to order. Operation `p` (0-based) of a transaction that starts at
/// time `s` runs at `s + p`; a transaction lasts as many time units as it has operations.
public struct TxnWorkload: Sendable, Equatable {
    /// The transactions, by index.
    public var transactions: [[TxnOp]]
    /// Number of distinct keys.
    public var keyCount: Int
    /// The seed for any randomness of the scheduler: `TxnWorkload.seed(index:)` of the
    /// workload's position among the inputs a level sends, the same in `eval`, `evolve` and
    /// `calibrate`. A scheduler that draws only from it scores the same on every run.
    public var seed: UInt64

    @inlinable
    public init(transactions: [[TxnOp]], keyCount: Int, seed: UInt64 = 0) {
        self.transactions = transactions
        self.keyCount = keyCount
        self.seed = seed
    }

    /// The seed the host gives the workload at `index` (0-based) of a level's inputs: a fixed
    /// constant mixed with the index (SplitMix64), so neighbouring workloads get unrelated seeds.
    @inlinable
    public static func seed(index: Int) -> UInt64 {
        var z = 0x5349_4D2D_4341_5343 &+ UInt64(truncatingIfNeeded: index) &* 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// A transaction scheduler: returns an order of all transactions (a permutation of
/// `0..<workload.transactions.count`). The simulator computes the makespan itself.
///
/// Each workload is scheduled by a fresh instance (`init()` then one `schedule`): nothing an
/// instance holds carries over from one workload to the next. Process-wide state (a global or a
/// `static var`) is not reset between the workloads one level sends to its child, in file order;
/// a scheduler that must not depend on that order keeps its state in the instance and draws
/// randomness from `workload.seed`.
public protocol TxnScheduler {
    init()
    mutating func schedule(_ workload: TxnWorkload) -> [Int]
}
