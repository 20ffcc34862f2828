import CandidateAPI
import Foundation
import Sim
import TestSupport
import Testing
import SimCore

@Suite struct TxnTests {
    struct References: Decodable {
        var identity_order: [String: Int]
        var reversed_order: [String: Int]
        var pair_costs_WORKLOAD_1: [String: Int]
    }

    private func reference() throws -> ([NamedTxnWorkload], References) {
        let folder = try TestPaths.referenceData().appendingPathComponent("txn")
        let workloads = try TxnWorkloadFile.load(from: folder.appendingPathComponent("workloads.json"))
        let refs = try JSONDecoder().decode(References.self, from: Data(contentsOf: folder.appendingPathComponent("reference-values.json")))
        return (workloads, refs)
    }

    @Test(.needsReferenceData) func identityAndReversedOrdersMatchTheReference() throws {
        let (workloads, refs) = try reference()
        #expect(workloads.map(\.name) == ["WORKLOAD_1", "WORKLOAD_2", "WORKLOAD_3"])
        for w in workloads {
            var state = TxnSchedule(w.workload)
            let n = w.workload.transactions.count
            #expect(state.evaluate(0..<n) == refs.identity_order[w.name], "\(w.name) identity")
            #expect(state.evaluate((0..<n).reversed()) == refs.reversed_order[w.name], "\(w.name) reversed")
        }
    }

    @Test(.needsReferenceData) func everyReferencePairMatches() throws {
        let (workloads, refs) = try reference()
        var state = TxnSchedule(workloads[0].workload)
        #expect(refs.pair_costs_WORKLOAD_1.count == 20)
        for (pair, cost) in refs.pair_costs_WORKLOAD_1 {
            let order = pair.split(separator: ",").map { Int($0)! }
            #expect(state.evaluate(order) == cost, "pair \(pair)")
        }
    }

    @Test func lockListQuirksAreReproduced() throws {
        // A read after reads waits for the latest write in list order; a write waits for the
        // last lock's time. txn0 writes k at 1; txn1 reads k (must start at 2);
        // txn2 reads k (after the read at 2, waits for the write at 1 → ks 2); txn3 writes k
        // after txn2's read → starts after the last lock.
        let w = try TxnWorkloadFile.parse(name: "t", ["w-k", "r-k", "r-k", "w-k"]).workload
        var state = TxnSchedule(w)
        state.append(0)
        #expect(state.start(of: 1) == 2)
        state.append(1)
        #expect(state.start(of: 2) == 2)
        state.append(2)
        #expect(state.start(of: 3) == 3)
        // Positions shift starts: an op at position 3 of a transaction runs at start + 2.
        let shifted = try TxnWorkloadFile.parse(name: "t", ["w-k * *", "* * w-k"]).workload
        var s2 = TxnSchedule(shifted)
        #expect(s2.evaluate([0, 1]) == 3)  // second starts at 1: its write at 3 > 1
    }

    @Test(.needsReferenceData) func smfIsReproducibleAndBeatsIdentityOnTheReference() throws {
        let (workloads, refs) = try reference()
        let w = workloads[0]
        let a = BuiltinTxnPolicy.smf.schedule(w.workload, seed: 7)
        #expect(a == BuiltinTxnPolicy.smf.schedule(w.workload, seed: 7))
        #expect(a != BuiltinTxnPolicy.smf.schedule(w.workload, seed: 8))
        #expect(Set(a) == Set(0..<100) && a.count == 100)
        var state = TxnSchedule(w.workload)
        #expect(state.evaluate(a) < refs.identity_order["WORKLOAD_1"]!)
    }

    @Test func greedyInsertionNeverLosesToIdentityOrItsOwnStart() throws {
        let texts = (0..<24).map { i in "r-k\(i % 5) w-k\((i * 7) % 5) * w-k\((i * 3) % 4)" }
        let w = try TxnWorkloadFile.parse(name: "small", texts).workload
        let order = BuiltinTxnPolicy.greedyInsertion.schedule(w, seed: 0)
        #expect(Set(order) == Set(0..<24))
        var state = TxnSchedule(w)
        #expect(state.evaluate(order) <= state.evaluate(0..<24))
    }

    @Test func schedulesAreValidated() throws {
        #expect(throws: SimError.self) { try TxnScheduleFile.validate([0, 1, 1], transactions: 3, partial: true, name: "w") }
        #expect(throws: SimError.self) { try TxnScheduleFile.validate([0, 3], transactions: 3, partial: true, name: "w") }
        #expect(throws: SimError.self) { try TxnScheduleFile.validate([0, 1], transactions: 3, partial: false, name: "w") }
        try TxnScheduleFile.validate([2, 0], transactions: 3, partial: true, name: "w")
        try TxnScheduleFile.validate([2, 0, 1], transactions: 3, partial: false, name: "w")
    }

    @Test(arguments: [
        (#"{"W": {"txn0": "x-1"}}"#, "expected r-KEY, w-KEY or *"),
        (#"{"W": {"txn0": "r-"}}"#, "missing key"),
        (#"{"W": {"txn1": "r-1"}}"#, "transaction names must be txn0"),
        (#"{"W": {"txn0": 5}}"#, "is not a string of operations"),
        (#"{"W": {"txn0": "  "}}"#, "has no operations"),
        (#"[1, 2]"#, "not a JSON object of workloads"),
    ])
    func malformedWorkloadsAreRejected(contents: String, reason: String) throws {
        let url = try TestPaths.temporaryDirectory().appendingPathComponent("w.json")
        try Data(contents.utf8).write(to: url)
        do {
            _ = try TxnWorkloadFile.load(from: url)
            Issue.record("accepted \(contents)")
        } catch let error as SimError {
            #expect(error.description.hasPrefix(url.path) && error.description.contains(reason), "\(error)")
        }
    }

    @Test func committedWorkloadsRegenerateByteForByte() throws {
        let (differing, extra) = try CommittedInputs.mismatches(problem: "txn") { TxnWorkloadGenerator(manifest: try TxnWorkloadManifest.load(from: $0)).files() }
        #expect(differing.isEmpty && extra.isEmpty, "differing \(differing), extra \(extra)")
        let folder = TestPaths.repositoryRoot.appendingPathComponent("traces/txn")
        let workloads = try TxnWorkloadFile.load(from: folder.appendingPathComponent("workloads-default.json"))
        // 20 workloads from 300 to 10,000 transactions (the manifest's, in name order), 50,800 in all.
        #expect(workloads.map(\.workload.transactions.count) == [300, 300, 1000, 1000, 3000, 10000, 300, 300, 1000, 1000, 3000, 10000, 300, 300, 1000, 1000, 1000, 3000, 3000, 10000])
    }

    /// ASCII texts are split on bytes, others through Characters: both split the same ways,
    /// and keys are numbered by first appearance across the workload.
    @Test func asciiAndUnicodeTextsSplitAlike() throws {
        let ascii = try TxnWorkloadFile.parse(name: "W", ["w-1\tr-2\r\n*  r-1 ", "\u{0B}r-2\u{0C}w-3"])
        #expect(ascii.keyNames == ["1", "2", "3"])
        #expect(ascii.workload.transactions == [[TxnOp(kind: .write, key: 0), TxnOp(kind: .read, key: 1), TxnOp(kind: .compute, key: -1),
                                                  TxnOp(kind: .read, key: 0)],
                                                 [TxnOp(kind: .read, key: 1), TxnOp(kind: .write, key: 2)]])
        let unicode = try TxnWorkloadFile.parse(name: "W", ["w-1\tr-2\r\n*  r-1 \u{85}", "\u{0B}r-2\u{0C}w-3 r-é"])
        #expect(unicode.keyNames == ["1", "2", "3", "é"])
        #expect(Array(unicode.workload.transactions[0]) == ascii.workload.transactions[0])
        #expect(throws: SimError.self) { try TxnWorkloadFile.parse(name: "W", ["r-1 *x"]) }
        #expect(throws: SimError.self) { try TxnWorkloadFile.parse(name: "W", ["r"]) }
    }

    /// greedy-insertion refuses what it could not finish in minutes; the others take anything.
    @Test func greedyInsertionStatesItsLimit() throws {
        let op = [TxnOp(kind: .read, key: 0)]
        let big = TxnWorkload(transactions: Array(repeating: op, count: BuiltinTxnPolicy.greedyInsertionLimit + 1), keyCount: 1)
        let small = TxnWorkload(transactions: Array(repeating: op, count: BuiltinTxnPolicy.greedyInsertionLimit), keyCount: 1)
        #expect(throws: SimError.self) { try BuiltinTxnPolicy.greedyInsertion.check(big, name: "W") }
        try BuiltinTxnPolicy.greedyInsertion.check(small, name: "W")
        try BuiltinTxnPolicy.smf.check(big, name: "W")
    }
}
