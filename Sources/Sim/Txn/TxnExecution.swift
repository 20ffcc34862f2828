import CandidateAPI
import SimCore

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
    /// Time transactions spent waiting for locks they were then granted, summed (waits that
    /// ended in a deadlock abort are not counted).
    public var lockWait: Double
    /// False when the execution hit its event budget before every transaction committed — a
    /// fault of this simulator, never a score (callers must refuse such a result).
    public var finished = true
}

/// Executes a schedule with strict two-phase locking: lock waits, and deadlock detection.
///
/// Transactions are dispatched in the order given to `workers` workers. Each operation first
/// takes its lock (shared for a read, exclusive for a write; a shared lock is upgraded in
/// place), then runs for its latency; locks are held until the commit ends. A request that
/// conflicts with a holder or an earlier waiter waits in the key's FIFO queue, keeping its
/// worker — unless waiting would close a cycle in the wait-for graph: then the youngest
/// transaction of the cycle (latest in the order; a restart keeps its place) is the deadlock
/// victim, so the oldest running transaction is never one and the execution always progresses.
/// A victim releases every lock, frees its worker, and restarts from its first operation
/// `restartDelay` after the transaction it was blocked by has committed or aborted (retrying
/// sooner would only meet the same lock). Restarted transactions are dispatched before new
/// ones, in the order's order.
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
        /// Transactions that died on a lock of this one, restarted when it ends.
        var parked = [[Int]](repeating: [], count: n)
        var pc = [Int](repeating: 0, count: n)
        var waitingSince = [Double](repeating: 0, count: n)
        /// The key and mode a transaction waits for.
        var waitingOn = [(key: Int, exclusive: Bool)?](repeating: nil, count: n)
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
                waitingOn[first.txn] = nil
                grant(first.txn, key, exclusive: first.exclusive)
                lockWait += events.now - waitingSince[first.txn]
                events.schedule(.operationDone(first.txn), after: latency(workload.transactions[first.txn][pc[first.txn]]))
            }
        }
        func releaseAll(_ txn: Int) {
            for victim in parked[txn] { events.schedule(.restart(victim), after: model.restartDelay) }
            parked[txn].removeAll()
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
        /// Who `txn` waits for now: the holders and earlier waiters of its key it conflicts with.
        func waitsFor(_ txn: Int) -> [Int] {
            guard let (key, exclusive) = waitingOn[txn] else { return [] }
            let queue = locks[key].queue
            let position = queue.firstIndex { $0.txn == txn } ?? queue.count
            return blockers(txn, key, exclusive: exclusive, queueAhead: queue[..<position])
        }
        /// The transactions `txn`, about to wait for `blocking`, would wait for through a chain
        /// that leads back to it (`txn` included); `nil` when there is no such cycle.
        func cycle(_ txn: Int, _ blocking: [Int]) -> [Int]? {
            var parent: [Int: Int] = [:]
            var stack: [Int] = []
            for b in blocking where parent[b] == nil {
                parent[b] = txn
                stack.append(b)
            }
            while let x = stack.popLast() {
                for y in waitsFor(x) {
                    if y == txn {
                        var members = [txn, x]
                        var z = x
                        while let p = parent[z], p != txn { members.append(p); z = p }
                        return members
                    }
                    if parent[y] == nil {
                        parent[y] = x
                        stack.append(y)
                    }
                }
            }
            return nil
        }
        /// Aborts `victim` (running or waiting) and parks it until `blocker` ends.
        func abort(_ victim: Int, blockedBy blocker: Int) {
            aborts += 1
            if let (key, _) = waitingOn[victim] {
                locks[key].queue.removeAll { $0.txn == victim }
                waitingOn[victim] = nil
                wake(key)
            }
            releaseAll(victim)
            freeWorkers += 1
            parked[blocker].append(victim)
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
            } else if let members = cycle(txn, blocking) {
                let victim = members.max { timestamp[$0] < timestamp[$1] }!
                if victim == txn {
                    abort(txn, blockedBy: blocking[0])
                } else {
                    abort(victim, blockedBy: waitsFor(victim).first ?? txn)
                    request(txn)  // the way may be free now, or it waits without the victim
                }
                dispatch()
            } else {
                locks[key].queue.append(Waiter(txn: txn, exclusive: exclusive))
                waitingOn[txn] = (key, exclusive)
                waitingSince[txn] = events.now
            }
        }

        dispatch()
        // Progress is guaranteed (the oldest transaction is never a victim); the budget turns a
        // fault of this model into a refused result instead of a hung or crashed parent.
        var budget = 1_000 * (n + workload.transactions.reduce(0) { $0 + $1.count }) + 1_000
        while let event = events.next() {
            budget -= 1
            if budget < 0 { break }
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
        return TxnExecutionResult(makespan: makespan, throughput: makespan > 0 ? Double(n) / makespan : 0, aborts: aborts,
                                  lockWait: lockWait, finished: committed == n)
    }
}
