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
