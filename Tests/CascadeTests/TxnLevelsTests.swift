import CandidateAPI
@testable import Cascade
import Sim
import TestSupport
import Testing

@Suite struct TxnLevelsTests {
    private func workloads() throws -> [NamedTxnWorkload] {
        try TxnWorkloadFile.load(from: TestPaths.repositoryRoot.appendingPathComponent("traces/txn/workloads-default.json"))
    }

    @Test func theCostModelAsksTheSameQuestionOnAQuarterOfEachWorkload() throws {
        let all = try workloads()
        let levels = TxnLevels.models(workloads: all)
        #expect(levels.map(\.name) == ["cost_model", "coarse", "fine"])
        for (sample, full) in zip(levels[0].workloads, all) {
            #expect(sample.workload.transactions.count == Int((Double(full.workload.transactions.count) * 0.25).rounded()))
            // Keys renumbered by first appearance, names kept.
            let keys = sample.workload.transactions.flatMap { $0.filter { $0.kind != .compute }.map(\.key) }
            var seen: [Int32] = []
            for k in keys where !seen.contains(k) { seen.append(k) }
            #expect(seen == Array(0..<Int32(sample.workload.keyCount)))
            #expect(Set(sample.keyNames).isSubset(of: Set(full.keyNames)))
            // Every sampled transaction is one of the workload's, operation for operation.
            let texts = Set(full.workload.transactions.map { $0.map { "\($0.kind)\(full.keyNames[safe: $0.key])" } })
            for t in sample.workload.transactions {
                #expect(texts.contains(t.map { "\($0.kind)\(sample.keyNames[safe: $0.key])" }))
            }
        }
        #expect(levels[1].workloads.map(\.workload) == all.map(\.workload) && levels[2].workloads.map(\.workload) == all.map(\.workload))
        #expect(TxnLevels.models(workloads: all, seed: 1)[0].workloads.map(\.workload) != levels[0].workloads.map(\.workload))
    }

    @Test func eachLevelScoresTheTemplatesOrderItsOwnWay() throws {
        let all = try workloads()
        let levels = TxnLevels.models(workloads: all)
        let smf = all.map { BuiltinTxnPolicy.smf.schedule($0.workload, seed: 0) }
        var publicTotal = 0
        for (w, order) in zip(all, smf) {
            var state = TxnSchedule(w.workload)
            publicTotal += state.evaluate(order)
        }
        #expect(levels[1].referenceMetrics() == ["total_makespan": Double(publicTotal)])
        let fine = levels[2].referenceMetrics()
        let executed = zip(all, smf).reduce(0.0) { $0 + TxnExecution.run($1.0.workload, order: $1.1).makespan }
        #expect(fine["total_execution_makespan"] == executed && fine["aborts"] != nil)
        #expect(fine["execution_throughput"] == Double(all.reduce(0) { $0 + $1.workload.transactions.count }) / executed)
        #expect(levels[0].metrics.map(\.name) == ["estimated_makespan"] && levels[1].metrics.map(\.name) == ["total_makespan"])
        #expect(levels[2].metrics.map(\.name) == ["total_execution_makespan", "execution_throughput", "aborts"])
        #expect(levels.map(\.primaryMetric) == ["estimated_makespan", "total_makespan", "total_execution_makespan"])
    }
}

private extension Array where Element == String {
    subscript(safe key: Int32) -> String { key >= 0 && Int(key) < count ? self[Int(key)] : "-" }
}
