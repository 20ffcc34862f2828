import CandidateAPI
import SimCore

/// The cheap transaction model: a makespan estimate from the conflict structure alone, with no
/// lock lists and no operation positions.
///
/// Two transactions conflict when they share a key that at least one of them writes. With `R` and
/// `W` the transactions × keys incidence matrices of reads and writes, the conflict counts are
/// `C = W·(R+W)ᵀ + R·Wᵀ`, one product each through the tensor layer. In the given order, a
/// transaction is estimated to start after the latest-finishing earlier transaction it conflicts
/// with — as if conflicting transactions ran one after the other, whole — so the estimate is the
/// longest conflict chain of the order, lengths in operations. It overestimates the public
/// makespan, which lets a conflicting operation overlap when it comes late in its transaction,
/// but it ranks orders by how well they keep conflicting transactions apart.
public enum TxnConflictEstimate {
    /// The conflict counts; only keys shared by two transactions enter the products.
    /// - Complexity: O(n² · k) through BLAS, k the shared keys.
    public static func conflicts(_ workload: TxnWorkload) -> Tensor<Float> {
        let n = workload.transactions.count
        var users = [Int](repeating: 0, count: workload.keyCount)
        for txn in workload.transactions {
            for key in Set(txn.lazy.filter { $0.kind != .compute }.map(\.key)) { users[Int(key)] += 1 }
        }
        var column = [Int](repeating: -1, count: workload.keyCount)
        var shared = 0
        for key in users.indices where users[key] >= 2 {
            column[key] = shared
            shared += 1
        }
        guard n > 0, shared > 0 else { return Tensor(repeating: 0, shape: [n, n]) }
        var reads = Tensor<Float>(repeating: 0, shape: [n, shared])
        var writes = Tensor<Float>(repeating: 0, shape: [n, shared])
        for (t, txn) in workload.transactions.enumerated() {
            for op in txn where op.kind != .compute && column[Int(op.key)] >= 0 {
                let index = t * shared + column[Int(op.key)]
                if op.kind == .write { writes.scalars[index] = 1 } else { reads.scalars[index] = 1 }
            }
        }
        var touched = reads
        touched.axpy(1, writes)
        let writeFirst = Tensor.gemm(writes, touched, transposeB: true)
        return Tensor.gemm(reads, writes, transposeB: true, beta: 1, c: writeFirst)
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
