import CandidateAPI

/// The fine transaction model's parameters. Times are in the public model's unit, one operation.
///
/// Where the constants come from: the public model runs every operation in one unit and has no
/// workers, so `readLatency` and `computeLatency` stay at 1 to keep the two models on one clock.
/// The rest are modelling assumptions, not measurements: a write costs 2 units (it appends to a
/// redo log before installing the value), a commit 1 (its log flush, during which locks are still
/// held, as strict 2PL requires), an aborted transaction waits 1 unit before it restarts, and 4
/// workers run transactions concurrently (a small OLTP server's worker pool).
public struct TxnExecutionModel: Sendable, Equatable {
    public var workers = 4
    public var readLatency = 1.0
    public var writeLatency = 2.0
    public var computeLatency = 1.0
    public var commitLatency = 1.0
    public var restartDelay = 1.0

    public init() {}
}

/// What executing one order did.
public struct TxnExecutionResult: Sendable, Equatable {
    /// Time of the last commit.
    public var makespan: Double
    /// Committed transactions per time unit.
    public var throughput: Double
    public var aborts: Int
    /// Time transactions spent waiting for locks, summed.
    public var lockWait: Double
}

/// Executes a schedule with strict two-phase locking and wait-die deadlock prevention.
///
/// Transactions are dispatched in the order given to `workers` workers; a transaction's position
/// in the order is its timestamp (earlier = older). Each operation first takes its lock (shared
/// for a read, exclusive for a write; a shared lock is upgraded in place), then runs for its
/// latency; locks are held until the commit ends. A request that conflicts with a holder or an
/// earlier waiter waits in the key's FIFO queue if the requester is older than all of them, and
/// otherwise dies: it releases every lock, frees its worker and restarts from its first operation
/// after `restartDelay`, keeping its timestamp (so it eventually is the oldest and cannot starve).
/// Waits only go from older to younger, so there is no deadlock. A waiting transaction keeps its
/// worker. Restarted transactions are dispatched before new ones, oldest first.
public enum TxnExecution {
    enum Event { case operationDone(Int), restart(Int) }

    struct Waiter { var txn: Int; var exclusive: Bool }
    struct KeyLocks {
        /// Holders and whether each holds the lock exclusively.
        var holders: [(txn: Int, exclusive: Bool)] = []
        var queue: [Waiter] = []
    }

    /// - Precondition: `order` is a permutation of the workload's transactions.
    /// - Complexity: O(operations × (holders + waiters per key) × log events), plus the reruns
    ///   of aborted transactions.
    public static func run(_ workload: TxnWorkload, order: [Int], model: TxnExecutionModel = TxnExecutionModel())
        -> TxnExecutionResult {
        let n = workload.transactions.count
        precondition(order.count == n && model.workers >= 1)
        if n == 0 { return TxnExecutionResult(makespan: 0, throughput: 0, aborts: 0, lockWait: 0) }
        var timestamp = [Int](repeating: 0, count: n)
        for (position, txn) in order.enumerated() { timestamp[txn] = position }
        var locks = [KeyLocks](repeating: KeyLocks(), count: workload.keyCount)
        var held = [[Int32]](repeating: [], count: n)
        var pc = [Int](repeating: 0, count: n)
        var waitingSince = [Double](repeating: 0, count: n)
        var events = EventQueue<Event>()
        var freeWorkers = model.workers
        var cursor = 0
        var restarted: [Int] = []  // ready again, by timestamp
        var committed = 0, aborts = 0
        var lockWait = 0.0, makespan = 0.0

        func latency(_ op: TxnOp) -> Double {
            switch op.kind {
            case .read: return model.readLatency
            case .write: return model.writeLatency
            case .compute: return model.computeLatency
            }
        }
        func conflicts(_ a: Bool, _ b: Bool) -> Bool { a || b }

        /// Whether `txn` may take `key` (`exclusive` or shared) now; else the blockers' timestamps.
        func blockers(_ txn: Int, _ key: Int, exclusive: Bool, queueAhead: ArraySlice<Waiter>) -> [Int] {
            var result: [Int] = []
            for h in locks[key].holders where h.txn != txn && conflicts(h.exclusive, exclusive) { result.append(h.txn) }
            for w in queueAhead where w.txn != txn && conflicts(w.exclusive, exclusive) { result.append(w.txn) }
            return result
        }
        func grant(_ txn: Int, _ key: Int, exclusive: Bool) {
            if let i = locks[key].holders.firstIndex(where: { $0.txn == txn }) {
                locks[key].holders[i].exclusive = locks[key].holders[i].exclusive || exclusive
            } else {
                locks[key].holders.append((txn, exclusive))
                held[txn].append(Int32(key))
            }
        }
        /// Grants queued requests of `key` from the front while they fit.
        func wake(_ key: Int) {
            while let first = locks[key].queue.first,
                  blockers(first.txn, key, exclusive: first.exclusive, queueAhead: []).isEmpty {
                locks[key].queue.removeFirst()
                grant(first.txn, key, exclusive: first.exclusive)
                lockWait += events.now - waitingSince[first.txn]
                events.schedule(.operationDone(first.txn), after: latency(workload.transactions[first.txn][pc[first.txn]]))
            }
        }
        func releaseAll(_ txn: Int) {
            let keys = held[txn]
            held[txn].removeAll()
            for key in keys {
                locks[Int(key)].holders.removeAll { $0.txn == txn }
                wake(Int(key))
            }
        }
        func dispatch() {
            while freeWorkers > 0 {
                let txn: Int
                if !restarted.isEmpty {
                    txn = restarted.removeFirst()
                } else if cursor < n {
                    txn = order[cursor]
                    cursor += 1
                } else {
                    return
                }
                freeWorkers -= 1
                pc[txn] = 0
                request(txn)
            }
        }
        /// Starts `txn`'s next operation, or its commit after the last.
        func request(_ txn: Int) {
            let ops = workload.transactions[txn]
            guard pc[txn] < ops.count else {
                events.schedule(.operationDone(txn), after: model.commitLatency)
                return
            }
            let op = ops[pc[txn]]
            guard op.kind != .compute else {
                events.schedule(.operationDone(txn), after: latency(op))
                return
            }
            let key = Int(op.key), exclusive = op.kind == .write
            if locks[key].holders.contains(where: { $0.txn == txn && ($0.exclusive || !exclusive) }) {
                events.schedule(.operationDone(txn), after: latency(op))
                return
            }
            let blocking = blockers(txn, key, exclusive: exclusive, queueAhead: locks[key].queue[...])
            if blocking.isEmpty {
                grant(txn, key, exclusive: exclusive)
                events.schedule(.operationDone(txn), after: latency(op))
            } else if blocking.allSatisfy({ timestamp[txn] < timestamp[$0] }) {
                locks[key].queue.append(Waiter(txn: txn, exclusive: exclusive))
                waitingSince[txn] = events.now
            } else {
                aborts += 1
                releaseAll(txn)
                freeWorkers += 1
                events.schedule(.restart(txn), after: model.restartDelay)
                dispatch()
            }
        }

        dispatch()
        while let event = events.next() {
            switch event {
            case .operationDone(let txn):
                if pc[txn] == workload.transactions[txn].count {
                    committed += 1
                    makespan = events.now
                    releaseAll(txn)
                    freeWorkers += 1
                    dispatch()
                } else {
                    pc[txn] += 1
                    request(txn)
                }
            case .restart(let txn):
                let at = restarted.firstIndex { timestamp[$0] > timestamp[txn] } ?? restarted.count
                restarted.insert(txn, at: at)
                dispatch()
            }
        }
        precondition(committed == n, "every transaction commits")
        return TxnExecutionResult(makespan: makespan, throughput: Double(n) / makespan, aborts: aborts, lockWait: lockWait)
    }
}
