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

    @inlinable
    public init(transactions: [[TxnOp]], keyCount: Int) {
        self.transactions = transactions
        self.keyCount = keyCount
    }
}

/// A transaction scheduler: returns an order of all transactions (a permutation of
/// `0..<workload.transactions.count`). The simulator computes the makespan itself.
public protocol TxnScheduler {
    init()
    mutating func schedule(_ workload: TxnWorkload) -> [Int]
}
