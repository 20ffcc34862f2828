import CandidateAPI
@testable import Cascade
import Sim
import TestSupport
import Testing

@Suite struct EPLBLevelsTests {
    @Test func levelsPlaceFromSampledWindowsAndScoreTheirOwnWay() throws {
        guard case .history(let history) = try EPLBInputFile.load(
            from: TestPaths.repositoryRoot.appendingPathComponent("traces/eplb/toy-history.json")) else {
            Issue.record("toy-history.json is a load history")
            return
        }
        let windows = history.windows(size: 100)
        let shape = try #require(history.shape)
        let levels = EPLBLevels.make(windows: windows, shape: shape)
        #expect(levels.map(\.name) == ["cost_model", "coarse", "fine"])
        #expect(levels.map(\.indices) == [[0], [0, 2], [0, 1, 2]])
        // References are DeepSeek's EPLB: the coarse one is the public metric on the sample.
        let placements = try [0, 2].map { i in
            try EPLBPlacement(phy2log: DeepSeekEPLB.place(shape.input(windows[i])), layers: windows[i].count,
                              experts: windows[i][0].count, replicas: shape.replicas)
        }
        let expected = zip([0, 2], placements).map { EPLBBalancedness(placement: $1, weights: windows[$0 + 1], gpus: shape.gpus).gpu }
        #expect(levels[1].referenceMetrics() == ["mean_balancedness_gpu": expected.reduce(0, +) / 2])
        let fine = levels[2].referenceMetrics()
        #expect((fine["throughput_tokens_per_second"] ?? 0) > 0 && fine["p99_step_ms"]! >= fine["mean_step_ms"]!)
        #expect(levels[0].metrics.map(\.name) == ["mean_balancedness_self"] && levels[2].primaryMetric == "throughput_tokens_per_second")
    }
}
