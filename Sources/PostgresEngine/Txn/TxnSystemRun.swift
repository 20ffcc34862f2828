/// What the server recorded of one committed transaction (its last, committed attempt), in
/// microseconds of the server's `clock_timestamp()`.
public struct TxnServerRecord: Sendable, Equatable {
    public var transaction: Int
    /// The connection (0-based) that ran it.
    public var connection: Int
    /// Per key operation in order: a write's time after it took its lock, a read's when it
    /// asked for its lock (PostgreSQL evaluates a row-locking select's columns before locking).
    public var operationTimes: [Int64]
    /// Just before `COMMIT`, with every lock still held.
    public var commitStart: Int64
    /// 1 + the times it was aborted.
    public var attempts: Int
}

/// One execution of a schedule.
public struct TxnSystemRun: Sendable, Equatable {
    /// First dispatch to last commit, seconds (the client's monotonic clock).
    public var makespanSeconds: Double
    public var deadlocks: Int
    public var serializationFailures: Int
    /// Per transaction, dispatch to commit (retries included), seconds, in schedule order.
    public var latencies: [Double]
    /// By transaction index.
    public var records: [TxnServerRecord]

    /// Aborted attempts; each was retried.
    public var aborts: Int { deadlocks + serializationFailures }

    public var latencyP50: Double { Self.percentile(latencies, 0.50) }
    public var latencyP99: Double { Self.percentile(latencies, 0.99) }

    /// Nearest rank.
    static func percentile(_ values: [Double], _ p: Double) -> Double {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        return sorted[min(sorted.count - 1, max(0, Int((p * Double(sorted.count)).rounded(.up)) - 1))]
    }
}

/// A schedule run `settings.runs` times: the median of each figure, and how much runs differed.
public struct TxnSystemMeasurement: Sendable, Equatable {
    public var runs: [TxnSystemRun]
    public var transactions: Int

    public init(runs: [TxnSystemRun], transactions: Int) {
        precondition(!runs.isEmpty)
        self.runs = runs
        self.transactions = transactions
    }

    /// The median run's makespan (the lower middle for an even count).
    public var makespanSeconds: Double { median(runs.map(\.makespanSeconds)) }
    /// (max − min) / median of the runs' makespans: the measurement's noise.
    public var makespanSpread: Double {
        let m = runs.map(\.makespanSeconds)
        return makespanSeconds > 0 ? (m.max()! - m.min()!) / makespanSeconds : 0
    }
    public var throughput: Double { makespanSeconds > 0 ? Double(transactions) / makespanSeconds : 0 }
    public var aborts: Double { median(runs.map { Double($0.aborts) }) }
    public var latencyP50: Double { median(runs.map(\.latencyP50)) }
    public var latencyP99: Double { median(runs.map(\.latencyP99)) }

    private func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted[(sorted.count - 1) / 2]
    }
}
