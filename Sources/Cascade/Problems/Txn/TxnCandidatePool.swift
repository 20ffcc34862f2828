/// Calibration candidates for transactions: the template and the public evaluator's starting
/// orders, systematic variants of the template's sampled greedy (sample size, seed, a length
/// penalty), static sorts by a transaction statistic, and at most 20 % deliberately bad ones
/// (greedy for the worst append, a crash, an invalid answer).
///
/// Every candidate is the template with its evolve block replaced, so all share its `Makespan`
/// model and `Xoshiro` generator.
public enum TxnCandidatePool {
    /// Up to `size` candidates, of which at most 20 % bad, the variants spread evenly over the grid.
    public static func make(size: Int) -> [PoolCandidate] {
        var pool = [PoolCandidate(name: "smf (template)", origin: .baseline, source: CandidateProblem.txn.template),
                    PoolCandidate(name: "identity", origin: .baseline, source: withBlock("return Array(0..<workload.transactions.count)")),
                    PoolCandidate(name: "reversed", origin: .baseline,
                                  source: withBlock("return Array((0..<workload.transactions.count).reversed())"))]
        var variants: [PoolCandidate] = []
        for k in [1, 2, 3, 4, 6, 8, 12, 16, 24, 32] {
            for seed in 0..<6 {
                variants.append(PoolCandidate(name: "sampled greedy k=\(k) seed=\(seed)", origin: .variant,
                                              source: withBlock(sampledGreedy(k: k, seed: seed, penalty: 0, worst: false))))
            }
        }
        for penalty in [-1.0, -0.5, 0.5, 1.0, 2.0, 4.0] {
            for k in [4, 8, 16] {
                variants.append(PoolCandidate(name: "sampled greedy k=\(k) length penalty=\(penalty)", origin: .variant,
                                              source: withBlock(sampledGreedy(k: k, seed: 0, penalty: penalty, worst: false))))
            }
        }
        let statistics = [("length", "Double(t.count)"),
                          ("writes", "Double(t.filter { $0.kind == .write }.count)"),
                          ("keys", "Double(Set(t.filter { $0.kind != .compute }.map(\\.key)).count)"),
                          ("key heat", "t.filter { $0.kind != .compute }.reduce(0.0) { $0 + heat[Int($1.key)] }"),
                          ("write heat", "t.filter { $0.kind == .write }.reduce(0.0) { $0 + heat[Int($1.key)] }")]
        for (name, statistic) in statistics {
            for descending in [false, true] {
                variants.append(PoolCandidate(name: "sorted by \(name) \(descending ? "desc" : "asc")", origin: .variant,
                                              source: withBlock(sorted(statistic, descending: descending))))
            }
        }
        let bad: [PoolCandidate] = [
            PoolCandidate(name: "crash", origin: .bad, source: withBlock("fatalError(\"deliberately bad\")")),
            PoolCandidate(name: "duplicate answer", origin: .bad,
                          source: withBlock("return Array(repeating: 0, count: workload.transactions.count)")),
        ] + [2, 4, 8, 16, 32].flatMap { k in
            (0..<4).map { seed in
                PoolCandidate(name: "worst append k=\(k) seed=\(seed)", origin: .bad,
                              source: withBlock(sampledGreedy(k: k, seed: seed, penalty: 0, worst: true)))
            }
        }
        let badCount = min(size / 5, max(1, size / 6), bad.count)
        let wanted = min(variants.count, max(0, size - pool.count - badCount))
        pool += (0..<wanted).map { variants[$0 * variants.count / max(wanted, 1)] }
        return pool + bad.prefix(badCount)
    }

    static func withBlock(_ body: String) -> String { CandidateProblem.txn.template(withBlock: body) }

    /// Appends, among `k` sampled unscheduled transactions, the one whose append makespan plus
    /// `penalty` × its length is lowest (highest when `worst`).
    static func sampledGreedy(k: Int, seed: Int, penalty: Double, worst: Bool) -> String {
        """
        let n = workload.transactions.count
        var model = Makespan(workload)
        var rng = Xoshiro(seed: \(seed))
        var remaining = Array(0..<n)
        var order: [Int] = []
        while !remaining.isEmpty {
            let k = min(\(k), remaining.count)
            for j in 0..<k { remaining.swapAt(j, j + rng.below(remaining.count - j)) }
            var best = 0, bestScore = \(worst ? "-Double.infinity" : "Double.infinity")
            for j in 0..<k {
                let t = remaining[j]
                let score = Double(model.makespan(ifAppending: t)) + \(penalty) * Double(workload.transactions[t].count)
                if score \(worst ? ">" : "<") bestScore { (best, bestScore) = (j, score) }
            }
            let txn = remaining[best]
            remaining.swapAt(best, remaining.count - 1)
            remaining.removeLast()
            model.append(txn)
            order.append(txn)
        }
        return order
        """
    }

    /// A static order by a statistic of each transaction `t` (`heat[key]`: transactions touching the key).
    static func sorted(_ statistic: String, descending: Bool) -> String {
        """
        var heat = [Double](repeating: 0, count: workload.keyCount)
        for t in workload.transactions { for op in t where op.kind != .compute { heat[Int(op.key)] += 1 } }
        let value = workload.transactions.map { t in \(statistic) }
        return (0..<workload.transactions.count).sorted { (value[$0], $0) \(descending ? ">" : "<") (value[$1], $1) }
        """
    }
}
