// sim-cascade candidate: txn (transaction scheduling, conflict makespan).
// Define `Candidate: TxnScheduler`. `schedule` receives the workload and returns an order
// of all transactions (a permutation of their indices). The simulator computes the
// makespan itself; the model below mirrors it so the policy can plan. A fresh instance
// schedules each workload; `workload.seed` is the host's seed for it (fixed per workload
// position), for reproducible randomness — the template keeps seed 0, as the built-in smf.
import CandidateAPI

struct Candidate: TxnScheduler {
    init() {}

    mutating func schedule(_ workload: TxnWorkload) -> [Int] {
        // EVOLVE-BLOCK-START
        let n = workload.transactions.count
        if n == 0 { return [] }
        var model = Makespan(workload)
        var rng = Xoshiro(seed: 0)
        var remaining = Array(0..<n)
        var order = [remaining.remove(at: rng.below(n))]
        model.append(order[0])
        while !remaining.isEmpty {
            let k = min(8, remaining.count)
            for j in 0..<k { remaining.swapAt(j, j + rng.below(remaining.count - j)) }
            var best = 0, bestMakespan = Int.max
            for j in 0..<k {
                let m = model.makespan(ifAppending: remaining[j])
                if m < bestMakespan { (best, bestMakespan) = (j, m) }
            }
            let txn = remaining[best]
            remaining.swapAt(best, remaining.count - 1)
            remaining.removeLast()
            model.append(txn)
            order.append(txn)
        }
        return order
        // EVOLVE-BLOCK-END
    }
}

/// The simulator's unit-time lock model: per key, the locks taken (time, isWrite) in list order.
struct Makespan {
    let workload: TxnWorkload
    var locks: [[(time: Int, write: Bool)]]
    var makespan = 0

    init(_ workload: TxnWorkload) {
        self.workload = workload
        locks = Array(repeating: [], count: workload.keyCount)
    }

    func start(of txn: Int) -> Int {
        var start = 1
        for (p, op) in workload.transactions[txn].enumerated() where op.kind != .compute {
            guard let last = locks[Int(op.key)].last else { continue }
            let ks: Int
            if last.write || op.kind == .write {
                ks = last.time + 1
            } else {
                ks = (locks[Int(op.key)].last { $0.write }?.time).map { $0 + 1 } ?? 0
            }
            start = max(start, ks - p)
        }
        return start
    }

    func makespan(ifAppending txn: Int) -> Int {
        max(makespan, start(of: txn) + workload.transactions[txn].count - 1)
    }

    mutating func append(_ txn: Int) {
        let s = start(of: txn)
        makespan = max(makespan, s + workload.transactions[txn].count - 1)
        for (p, op) in workload.transactions[txn].enumerated() where op.kind != .compute {
            let t = s + p, key = Int(op.key)
            if let i = locks[key].lastIndex(where: { $0.time <= t }) {
                locks[key].insert((t, op.kind == .write), at: i + 1)
            } else if let first = locks[key].first, t < first.time {
                locks[key].insert((t, op.kind == .write), at: 0)
            } else {
                locks[key].append((t, op.kind == .write))
            }
        }
    }
}

/// xoshiro256** seeded through SplitMix64 (the generator the simulator's smf uses).
struct Xoshiro {
    var s: (UInt64, UInt64, UInt64, UInt64)

    init(seed: UInt64) {
        var x = seed
        func next() -> UInt64 {
            x &+= 0x9E3779B97F4A7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58476D1CE4E5B9
            z = (z ^ (z >> 27)) &* 0x94D049BB133111EB
            return z ^ (z >> 31)
        }
        s = (next(), next(), next(), next())
    }

    mutating func next() -> UInt64 {
        let result = ((s.1 &* 5) << 7 | (s.1 &* 5) >> 57) &* 9
        let t = s.1 << 17
        s.2 ^= s.0; s.3 ^= s.1; s.1 ^= s.2; s.0 ^= s.3; s.2 ^= t
        s.3 = s.3 << 45 | s.3 >> 19
        return result
    }

    /// Uniform in 0..<bound (Lemire's method).
    mutating func below(_ bound: Int) -> Int {
        let b = UInt64(bound)
        var m = next().multipliedFullWidth(by: b)
        if m.low < b {
            let threshold = (0 &- b) % b
            while m.low < threshold { m = next().multipliedFullWidth(by: b) }
        }
        return Int(m.high)
    }
}
