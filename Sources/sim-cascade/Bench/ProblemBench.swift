import CandidateAPI
import Cascade
import Foundation
import Sim
import SimCore

/// In-process workloads of the EPLB, prefix-cache and transaction simulators.
struct ProblemBench {
    var runs: Int

    func rows() throws -> [Bench.Row] {
        var rows: [Bench.Row] = []
        if case .history(let history) = try EPLBInputFile.load(from: Locations.defaultFile("traces/eplb/v3-history.json")) {
            rows.append(eplbPlacement(history.windows(size: 1)[0]))
        }
        rows += try txnLevels(TxnWorkloadFile.load(from: Locations.defaultFile("traces/txn/workloads-default.json")))
        if let data = try? Locations.referenceData() {
            rows += try prefix(data.appendingPathComponent("prefix/beer.csv"))
            let workloads = try TxnWorkloadFile.load(from: data.appendingPathComponent("txn/workloads.json"))
            if let w1 = workloads.first(where: { $0.name == "WORKLOAD_1" }) {
                rows.append(txnMakespan(w1, label: "txn makespan, WORKLOAD_1 identity (100 txns)"))
            }
            let multi = try MultiRegionScenarioSet.load(from: data.appendingPathComponent("spot/multi_region/scenarios-leaderboard-multi.json"))
            rows += MultiRegionModel.allCases.map { spotMulti(multi, model: $0) }
        }
        return rows
    }

    /// `round-robin` over every run of a multi-region set under `model`; the figure per item is one run.
    func spotMulti(_ set: MultiRegionScenarioSet, model: MultiRegionModel) -> Bench.Row {
        var score = 0.0
        let m = BenchSamples.cpuTime(runs: runs, sink: { score = $0 }) { () -> Double in
            BuiltinMultiRegionPolicy.roundRobin.run(set, model: model).meanCost
        }
        precondition(score > 0)
        return Bench.Row("spot-multi \(set.name) round-robin, \(model.rawValue) (\(set.runs.count) runs)", clock: "cpu", m,
                         items: set.runs.count)
    }

    /// `deepseek` on one 58 × 256 window (288 replicas, 8 groups, 4 nodes, 32 GPUs), repeated;
    /// the figure per item is one placement.
    func eplbPlacement(_ weights: [[Double]]) -> Bench.Row {
        let input = EPLBShape.deepSeekV3.input(weights)
        let repeats = 20
        var sum = 0
        let m = BenchSamples.cpuTime(runs: runs, sink: { sum &+= $0 }) { () -> Int in
            var total = 0
            for _ in 0..<repeats { total &+= DeepSeekEPLB.place(input)[0][0] }
            return total
        }
        return Bench.Row("eplb deepseek, one 58×256 window → 288 slots", clock: "cpu", m, items: repeats)
    }

    /// beer.csv: parsing (apart), the exact PHR of the original order (excluding parsing), and
    /// GGR's reordering.
    func prefix(_ url: URL) throws -> [Bench.Row] {
        var table = PrefixTable(columns: [], rows: [])
        let parse = try BenchSamples.wallTime(runs: runs) { table = try PrefixTableFile.load(from: url) }
        let original = BuiltinPrefixPolicy.original.reorder(table)
        var hits = 0
        let metric = try BenchSamples.cpuTime(runs: runs, sink: { hits = $0 }) { () throws -> Int in
            try PrefixHitRate(table: table, ordering: original).hitChars
        }
        var ggrRate = 0.0
        let ggr = BenchSamples.cpuTime(runs: runs, sink: { ggrRate = $0 }) { () -> Double in
            Double(GGRPolicy().reorder(table).fieldOrders.count)
        }
        precondition(hits > 0 && ggrRate > 0)
        return [
            Bench.Row("prefix beer.csv parse (28,479 × 9)", clock: "wall", parse),
            Bench.Row("prefix beer.csv PHR, original order", clock: "cpu", metric),
            Bench.Row("prefix beer.csv ggr reorder", clock: "cpu", ggr),
        ]
    }

    /// The transaction levels' scoring of the smf template's orders on the default workloads
    /// (700 transactions), in process: what each level adds to the sandbox's cost.
    func txnLevels(_ workloads: [NamedTxnWorkload]) -> [Bench.Row] {
        let orders = workloads.map { BuiltinTxnPolicy.smf.schedule($0.workload, seed: 0) }
        let sample = TxnLevels.make(workloads: workloads)[0].workloads
        let sampleOrders = sample.map { BuiltinTxnPolicy.smf.schedule($0.workload, seed: 0) }
        // The level builds each sample's conflict counts once; a candidate costs the chains.
        let conflicts = sample.map { TxnConflictEstimate.conflicts($0.workload) }
        var sink = 0.0
        let estimate = BenchSamples.cpuTime(runs: runs, sink: { sink += $0 }) { () -> Double in
            Double(sample.indices.reduce(0) {
                $0 + TxnConflictEstimate.makespan(sample[$1].workload, order: sampleOrders[$1], conflicts: conflicts[$1])
            })
        }
        let exact = BenchSamples.cpuTime(runs: runs, sink: { sink += $0 }) { () -> Double in
            Double(zip(workloads, orders).reduce(0) { total, pair in
                var state = TxnSchedule(pair.0.workload)
                return total + state.evaluate(pair.1)
            })
        }
        let executed = BenchSamples.cpuTime(runs: runs, sink: { sink += $0 }) { () -> Double in
            zip(workloads, orders).reduce(0) { $0 + TxnExecution.run($1.0.workload, order: $1.1).makespan }
        }
        precondition(sink > 0)
        return [Bench.Row("txn cost model: conflict chains, 25 % sample of the default workloads", clock: "cpu", estimate),
                Bench.Row("txn coarse: public makespan, default workloads (700 txns)", clock: "cpu", exact),
                Bench.Row("txn fine: 2PL execution, 4 workers, default workloads", clock: "cpu", executed)]
    }

    /// One makespan evaluation of the identity order, repeated so that a run lasts long enough to
    /// time; the figure per item is one evaluation.
    func txnMakespan(_ w: NamedTxnWorkload, label: String) -> Bench.Row {
        let repeats = 2000
        let order = Array(0..<w.workload.transactions.count)
        var state = TxnSchedule(w.workload)
        var sum = 0
        let m = BenchSamples.cpuTime(runs: runs, sink: { sum &+= $0 }) { () -> Int in
            var total = 0
            for _ in 0..<repeats { total &+= state.evaluate(order) }
            return total
        }
        precondition(sum != 0)
        return Bench.Row(label, clock: "cpu", m, items: repeats)
    }
}
