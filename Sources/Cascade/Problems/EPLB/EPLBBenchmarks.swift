import CandidateAPI
import Foundation
import Sim
import SimCore

extension EPLBProblem {
    /// DeepSeek's placement of one window of the embedded history.
    public func benchmarks(runs: Int, catalog: InputCatalog) throws -> [BenchRow] {
        guard case .history(let history) = try EPLBInputFile.load(from: Self.inputFile(nil, catalog: catalog)) else { return [] }
        return [Self.eplbPlacement(history.windows(size: 1)[0], runs: runs)]
    }

    /// `deepseek` on one 58 × 256 window (288 replicas, 8 groups, 4 nodes, 32 GPUs), repeated;
    /// the figure per item is one placement.
    static func eplbPlacement(_ weights: [[Double]], runs: Int) -> BenchRow {
        let input = EPLBShape.deepSeekV3.input(weights)
        let repeats = 20
        var sum = 0
        let m = BenchSamples.cpuTime(runs: runs, sink: { sum &+= $0 }) { () -> Int in
            var total = 0
            for _ in 0..<repeats { total &+= DeepSeekEPLB.place(input)[0][0] }
            return total
        }
        return BenchRow("eplb deepseek, one 58×256 window → 288 slots", clock: "cpu", m, items: repeats)
    }
}
