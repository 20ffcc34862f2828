import CandidateAPI

/// The makespan of a transaction order under the unit-time lock model of the public
/// transaction-scheduling evaluator, reproduced exactly (including its list-order quirks).
///
/// Per key it keeps the locks taken so far, `(type, time)`, in the evaluator's list order. The
/// lists are doubly linked through one preallocated pool, so evaluating a schedule allocates
/// nothing; `reset()` makes the state reusable for the next schedule.
public struct TxnSchedule {
    @usableFromInline struct KeyedOp {
        var key: Int32
        /// 1-based position in its transaction.
        var position: Int32
        var isWrite: Bool
    }

    @usableFromInline struct Lock {
        var time: Int32
        var prev: Int32
        var next: Int32
        var isWrite: Bool
    }

    /// Keyed operations of all transactions, transaction `t`'s at `opStart[t] ..< opStart[t + 1]`.
    @usableFromInline let ops: [KeyedOp]
    @usableFromInline let opStart: [Int32]
    @usableFromInline let lengths: [Int32]
    @usableFromInline var pool: [Lock]
    @usableFromInline var used = 0
    /// Per key: first and last lock, -1 when the key has none.
    @usableFromInline var head: [Int32]
    @usableFromInline var tail: [Int32]
    @usableFromInline var touched: [Int32] = []
    /// The makespan of the transactions appended so far.
    public private(set) var makespan = 0
    /// Number of transactions appended so far.
    public private(set) var count = 0

    /// - Complexity: O(total operations).
    public init(_ workload: TxnWorkload) {
        var ops: [KeyedOp] = []
        var opStart: [Int32] = [0]
        for txn in workload.transactions {
            for (p, op) in txn.enumerated() where op.kind != .compute {
                ops.append(KeyedOp(key: op.key, position: Int32(p + 1), isWrite: op.kind == .write))
            }
            opStart.append(Int32(ops.count))
        }
        self.ops = ops
        self.opStart = opStart
        lengths = workload.transactions.map { Int32($0.count) }
        pool = [Lock](repeating: Lock(time: 0, prev: -1, next: -1, isWrite: false), count: ops.count)
        head = [Int32](repeating: -1, count: workload.keyCount)
        tail = [Int32](repeating: -1, count: workload.keyCount)
        touched.reserveCapacity(workload.keyCount)
    }

    public var transactionCount: Int { lengths.count }

    /// Forgets every appended transaction.
    /// - Complexity: O(keys touched).
    public mutating func reset() {
        for key in touched {
            head[Int(key)] = -1
            tail[Int(key)] = -1
        }
        touched.removeAll(keepingCapacity: true)
        used = 0
        makespan = 0
        count = 0
    }

    /// The time transaction `txn` would start at if appended now.
    /// - Complexity: O(keyed operations × locks scanned).
    public func start(of txn: Int) -> Int32 {
        ops.withUnsafeBufferPointer { ops in
            pool.withUnsafeBufferPointer { pool in
                tail.withUnsafeBufferPointer { tail in
                    Self.start(of: txn, ops: ops, opStart: opStart, pool: pool, tail: tail)
                }
            }
        }
    }

    @inline(__always)
    static func start(of txn: Int, ops: UnsafeBufferPointer<KeyedOp>, opStart: [Int32],
                      pool: UnsafeBufferPointer<Lock>, tail: UnsafeBufferPointer<Int32>) -> Int32 {
        var start: Int32 = 1
        for i in Int(opStart[txn]) ..< Int(opStart[txn + 1]) {
            let op = ops[i]
            let last = tail[Int(op.key)]
            if last < 0 { continue }
            let ks: Int32
            if pool[Int(last)].isWrite || op.isWrite {
                ks = pool[Int(last)].time + 1
            } else {
                // A read after a read waits for the latest write in list order, if any.
                var node = last
                while node >= 0 && !pool[Int(node)].isWrite { node = pool[Int(node)].prev }
                ks = node < 0 ? 0 : pool[Int(node)].time + 1
            }
            start = max(start, ks - op.position + 1)
        }
        return start
    }

    /// The makespan if `txn` were appended now.
    public func makespan(ifAppending txn: Int) -> Int {
        max(makespan, Int(start(of: txn) + lengths[txn] - 1))
    }

    /// Appends transaction `txn` and records its locks.
    /// - Complexity: O(keyed operations × locks scanned).
    public mutating func append(_ txn: Int) {
        _ = appendAll(CollectionOfOne(txn))
    }

    /// The makespan of `order` from scratch (resets first).
    /// - Complexity: O(total keyed operations × locks scanned).
    public mutating func evaluate<Order: Sequence>(_ order: Order) -> Int where Order.Element == Int {
        reset()
        return appendAll(order)
    }

    /// Appends every transaction of `order`, inside one scope of unchecked buffer access.
    private mutating func appendAll<Order: Sequence>(_ order: Order) -> Int where Order.Element == Int {
        var makespan = self.makespan
        var used = self.used
        var count = self.count
        let opStart = self.opStart
        let lengths = self.lengths
        ops.withUnsafeBufferPointer { ops in
            pool.withUnsafeMutableBufferPointer { pool in
                head.withUnsafeMutableBufferPointer { head in
                    tail.withUnsafeMutableBufferPointer { tail in
                        for txn in order {
                            let start = Self.start(of: txn, ops: ops, opStart: opStart,
                                                   pool: UnsafeBufferPointer(pool), tail: UnsafeBufferPointer(tail))
                            makespan = max(makespan, Int(start + lengths[txn] - 1))
                            count += 1
                            for i in Int(opStart[txn]) ..< Int(opStart[txn + 1]) {
                                let op = ops[i]
                                let t = start + op.position - 1
                                let key = Int(op.key)
                                let node = Int32(used)
                                used += 1
                                pool[Int(node)] = Lock(time: t, prev: -1, next: -1, isWrite: op.isWrite)
                                if head[key] < 0 {
                                    head[key] = node
                                    tail[key] = node
                                    touched.append(op.key)
                                    continue
                                }
                                // Insert after the last entry (from the end) whose start ≤ t.
                                var after = tail[key]
                                while after >= 0 && pool[Int(after)].time > t { after = pool[Int(after)].prev }
                                if after < 0 && t < pool[Int(head[key])].time {
                                    // Below the first entry's start (and end): first.
                                    pool[Int(node)].next = head[key]
                                    pool[Int(head[key])].prev = node
                                    head[key] = node
                                    continue
                                }
                                if after < 0 { after = tail[key] }  // otherwise: append
                                let next = pool[Int(after)].next
                                pool[Int(node)].prev = after
                                pool[Int(node)].next = next
                                pool[Int(after)].next = node
                                if next >= 0 { pool[Int(next)].prev = node } else { tail[key] = node }
                            }
                        }
                    }
                }
            }
        }
        self.makespan = makespan
        self.used = used
        self.count = count
        return makespan
    }
}
