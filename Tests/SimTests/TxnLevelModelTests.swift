import Foundation
import CandidateAPI
import Sim
import TestSupport
import Testing
import SimCore

/// The cheap (conflict-chain) and fine (2PL execution) transaction models, on workloads small
/// enough to follow by hand.
@Suite struct TxnLevelModelTests {
    private func op(_ text: Substring) -> TxnOp {
        switch text.first {
        case "r": return TxnOp(kind: .read, key: Int32(text.dropFirst())!)
        case "w": return TxnOp(kind: .write, key: Int32(text.dropFirst())!)
        default: return TxnOp(kind: .compute, key: -1)
        }
    }

    /// Transactions as "w0 r1 *" strings (keys are numbers, `*` a compute).
    private func workload(_ texts: [String]) -> TxnWorkload {
        let transactions = texts.map { $0.split(separator: " ").map(op) }
        let keys = transactions.flatMap { $0.map(\.key) }.max().map { Int($0) + 1 } ?? 0
        return TxnWorkload(transactions: transactions, keyCount: max(keys, 0))
    }

    private var serial: TxnExecutionModel {
        var model = TxnExecutionModel()
        model.workers = 1
        return model
    }

    @Test func conflictsNeedAWriteOnASharedKey() {
        let w = workload(["r0 r1", "r0 w2", "w1", "r2", "r3"])
        let c = TxnConflictEstimate.conflicts(w)
        func conflict(_ i: Int, _ j: Int) -> Bool { c.scalars[i * 5 + j] > 0 }
        #expect(!conflict(0, 1))           // both only read key 0
        #expect(conflict(0, 2) && conflict(2, 0))  // read and write of key 1
        #expect(conflict(1, 3) && conflict(3, 1))  // write and read of key 2
        #expect(!conflict(0, 4) && !conflict(3, 4))
    }

    /// The counts summed key by key are the incidence products' (`W·(R+W)ᵀ + R·Wᵀ` through
    /// `Tensor.gemm` over the shared keys, the cost model's earlier code), bit for bit.
    @Test func sparseConflictCountsAreTheIncidenceProducts() {
        func products(_ workload: TxnWorkload) -> Tensor<Float> {
            let n = workload.transactions.count
            var users = [Int](repeating: 0, count: workload.keyCount)
            for txn in workload.transactions {
                for key in Set(txn.lazy.filter { $0.kind != .compute }.map(\.key)) { users[Int(key)] += 1 }
            }
            var column = [Int](repeating: -1, count: workload.keyCount), shared = 0
            for key in users.indices where users[key] >= 2 {
                column[key] = shared
                shared += 1
            }
            guard n > 0, shared > 0 else { return Tensor(repeating: 0, shape: [n, n]) }
            var reads = Tensor<Float>(repeating: 0, shape: [n, shared]), writes = reads
            for (t, txn) in workload.transactions.enumerated() {
                for op in txn where op.kind != .compute && column[Int(op.key)] >= 0 {
                    if op.kind == .write { writes.scalars[t * shared + column[Int(op.key)]] = 1 } else {
                        reads.scalars[t * shared + column[Int(op.key)]] = 1
                    }
                }
            }
            var touched = reads
            touched.axpy(1, writes)
            return Tensor.gemm(reads, writes, transposeB: true, beta: 1, c: Tensor.gemm(writes, touched, transposeB: true))
        }
        var rng = SeededGenerator(seed: 11)
        for _ in 0..<60 {
            let keys = Int.random(in: 1...30, using: &rng)
            let transactions = (0..<Int.random(in: 0...40, using: &rng)).map { _ in
                (0..<Int.random(in: 1...8, using: &rng)).map { _ -> TxnOp in
                    switch Int.random(in: 0..<5, using: &rng) {
                    case 0: return TxnOp(kind: .compute, key: -1)
                    case 1, 2: return TxnOp(kind: .read, key: Int32.random(in: 0..<Int32(keys), using: &rng))
                    default: return TxnOp(kind: .write, key: Int32.random(in: 0..<Int32(keys), using: &rng))
                    }
                }
            }
            let w = TxnWorkload(transactions: transactions, keyCount: keys)
            #expect(TxnConflictEstimate.conflicts(w).scalars == products(w).scalars)
        }
        // And a generated workload's cost-model sample.
        let workloads = (try? TxnWorkloadFile.load(from: TestPaths.repositoryRoot.appendingPathComponent("traces/txn/workloads-default.json"))) ?? []
        for w in workloads.filter({ $0.workload.transactions.count <= 1_000 }).prefix(3) {
            #expect(TxnConflictEstimate.conflicts(w.workload).scalars == products(w.workload).scalars, "\(w.name)")
        }
    }

    @Test func theEstimateIsTheLongestConflictChainOfTheOrder() {
        // 0 and 1 conflict on key 0, 2 is independent: 0 then 1 in a chain, 2 beside them.
        let w = workload(["w0 * *", "w0", "r5 r6 r7 r8"])
        #expect(TxnConflictEstimate.makespan(w, order: [0, 1, 2]) == 4)
        #expect(TxnConflictEstimate.makespan(workload(["w0 * * *", "w0 * *"]), order: [0, 1]) == 7)
        // The public model overlaps them (the second write may follow right after the first).
        var exact = TxnSchedule(workload(["w0 * * *", "w0 * *"]))
        #expect(exact.evaluate([0, 1]) < 7)
    }

    @Test func oneWorkerRunsEverythingSeriallyWithItsLatencies() {
        let w = workload(["r0 w1 *", "w2"])
        let result = TxnExecution.run(w, order: [0, 1], model: serial)
        // (1 + 2 + 1) + commit 1, then 2 + commit 1.
        #expect(result.makespan == 8 && result.aborts == 0 && result.lockWait == 0)
        #expect(result.throughput == 2.0 / 8)
    }

    @Test func aConflictingRequestWaitsForTheLock() {
        // T0 holds key 0 from 0 to its commit at 7; T1 asks at 0, waits 7, then writes and commits.
        let waits = TxnExecution.run(workload(["w0 * * * *", "w0"]), order: [0, 1])
        #expect(waits.aborts == 0 && waits.lockWait == 7 && waits.makespan == 10)
    }

    @Test func theYoungestOfADeadlockIsTheVictimWhenItClosesTheCycle() {
        // T0 takes key 0, T1 key 1; at 3 T0 waits for key 1, then T1 asks for key 0: a cycle, so
        // T1 aborts and releases key 1. T0 ends at 6; T1 restarts at 7 and runs 6 units.
        let result = TxnExecution.run(workload(["w0 * w1", "w1 * w0"]), order: [0, 1])
        #expect(result.aborts == 1 && result.makespan == 13 && result.lockWait == 0)
    }

    @Test func theYoungestOfADeadlockIsTheVictimWhenAnOlderOneClosesTheCycle() {
        // T1 (younger) holds key 0 and waits at 3 for key 1, which T0 holds; at 4 T0 asks for key
        // 0 and closes the cycle. The victim is T1, not the requester: it leaves key 1's queue and
        // releases key 0, T0 writes it (4–6) and commits (7); T1 restarts at 8 and ends at 14.
        let result = TxnExecution.run(workload(["w1 * * w0", "w0 * w1"]), order: [0, 1])
        #expect(result.aborts == 1 && result.makespan == 14 && result.lockWait == 0 && result.finished)
    }

    @Test func workersAndDispatchOrderMatterWhereThePublicModelSeesNoDifference() {
        // No conflicts: the public makespan is the longest transaction, in any order. With four
        // workers, starting the long transaction last delays everything behind it.
        let w = workload(["* * * * * * * * * *", "r1", "r2", "r3", "r4"])
        var exact = TxnSchedule(w)
        #expect(exact.evaluate([0, 1, 2, 3, 4]) == exact.evaluate([1, 2, 3, 4, 0]))
        let longFirst = TxnExecution.run(w, order: [0, 1, 2, 3, 4])
        let longLast = TxnExecution.run(w, order: [1, 2, 3, 4, 0])
        #expect(longFirst.makespan == 11 && longLast.makespan == 13)
    }

    @Test func executionIsDeterministicAndEveryTransactionCommits() {
        var rng = SeededGenerator(seed: 5)
        let texts = (0..<60).map { _ in (0..<6).map { _ in ["r", "w", "*"][rng.nextInt(below: 3)] + "\(rng.nextInt(below: 8))" }
            .map { $0.hasPrefix("*") ? "*" : $0 }.joined(separator: " ") }
        let w = workload(texts)
        let order = Array((0..<60).reversed())
        let a = TxnExecution.run(w, order: order), b = TxnExecution.run(w, order: order)
        #expect(a == b && a.makespan > 0 && a.throughput == 60 / a.makespan)
    }

    @Test func randomOrdersOfHotWorkloadsAllCommit() throws {
        // Deadlock victims are the youngest of their cycle, so no set of transactions can keep
        // aborting each other (a victim-is-the-requester rule livelocked on these workloads).
        // The hottest of the default workloads up to 1,000 transactions (the debug build runs
        // 12 orders of each).
        let workloads = try TxnWorkloadFile.load(from: TestPaths.repositoryRoot.appendingPathComponent("traces/txn/workloads-default.json"))
            .filter { $0.workload.transactions.count <= 1_000 }
        #expect(workloads.count >= 9)
        for seed in 0..<12 {
            for w in workloads {
                var order = Array(0..<w.workload.transactions.count)
                var rng = SeededGenerator(seed: UInt64(seed))
                rng.shuffle(&order)
                let result = TxnExecution.run(w.workload, order: order)
                #expect(result.finished && result.makespan > 0 && result.throughput > 0, "\(w.name) seed \(seed)")
            }
        }
    }
}
