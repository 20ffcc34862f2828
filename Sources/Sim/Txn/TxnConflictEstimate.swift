import CandidateAPI
import SimCore

/// The cheap transaction model: a makespan estimate from the conflict structure alone, with no
/// lock lists and no operation positions.
///
/// Two transactions conflict when they share a key that at least one of them writes. With `R` and
/// `W` the transactions × keys incidence matrices of reads and writes, the conflict counts are
/// `C = W·(R+W)ᵀ + R·Wᵀ`. In the given order, a transaction is estimated to start after the
/// latest-finishing earlier transaction it conflicts with — as if conflicting transactions ran one
/// after the other, whole — so the estimate is the longest conflict chain of the order, lengths in
/// operations. It overestimates the public makespan, which lets a conflicting operation overlap
/// when it comes late in its transaction, but it ranks orders by how well they keep conflicting
/// transactions apart.
public enum TxnConflictEstimate {
    /// The conflict counts `W·(R+W)ᵀ + R·Wᵀ` over the keys two transactions share, summed key by
    /// key over the pairs of each key's users: the products' terms that are not zero. Dense
    /// products cost n²·k for k shared keys (a 2,500-transaction sample of a 10,000-transaction
    /// YCSB workload shares ~10⁴ keys: ~6·10¹⁰ multiply-adds, seconds); the counts are small
    /// integers, exact in `Float` in any order, so the result is the products' bit for bit (the
    /// tests compare with `Tensor.gemm`).
    /// - Complexity: O(n² + Σ over shared keys of users²).
    public static func conflicts(_ workload: TxnWorkload) -> Tensor<Float> {
        let n = workload.transactions.count
        // Per key, its users with their read and write bits (a transaction reading and writing a
        // key counts in both).
        var users = [[(txn: Int, read: Float, write: Float)]](repeating: [], count: workload.keyCount)
        for (t, txn) in workload.transactions.enumerated() {
            var reads = Set<Int32>(), writes = Set<Int32>()
            for op in txn where op.kind != .compute {
                if op.kind == .write { writes.insert(op.key) } else { reads.insert(op.key) }
            }
            for key in reads.union(writes).sorted() {
                users[Int(key)].append((t, reads.contains(key) ? 1 : 0, writes.contains(key) ? 1 : 0))
            }
        }
        var counts = Tensor<Float>(repeating: 0, shape: [n, n])
        counts.scalars.withUnsafeMutableBufferPointer { c in
            for keyUsers in users where keyUsers.count >= 2 {
                for a in keyUsers {
                    let row = a.txn * n
                    for b in keyUsers {
                        c[row + b.txn] += a.write * (b.read + b.write) + a.read * b.write
                    }
                }
            }
        }
        return counts
    }

    /// The longest conflict chain of `order`, in operations.
    /// - Parameter conflicts: `conflicts(workload)`, when the caller scores many orders of it.
    /// - Precondition: `order` is a permutation of the workload's transactions.
    /// - Complexity: O(n²), plus `conflicts` when not given.
    public static func makespan(_ workload: TxnWorkload, order: [Int], conflicts given: Tensor<Float>? = nil) -> Int {
        let n = workload.transactions.count
        precondition(order.count == n)
        let c = given ?? conflicts(workload)
        var finish = [Int](repeating: 0, count: n)
        var makespan = 0
        for (position, txn) in order.enumerated() {
            var start = 0
            for earlier in order[..<position] where c.scalars[txn * n + earlier] > 0 { start = max(start, finish[earlier]) }
            finish[txn] = start + workload.transactions[txn].count
            makespan = max(makespan, finish[txn])
        }
        return makespan
    }
}
