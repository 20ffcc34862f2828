import CandidateAPI
import Foundation
import PostgresEngine
import Sim
import SimCore

extension TxnProblem {
    /// Each level's scoring on the embedded workloads, and one makespan evaluation of the
    /// reference WORKLOAD_1 (reference data only).
    public func benchmarks(runs: Int, catalog: InputCatalog) throws -> [BenchRow] {
        let defaultFile = try Self.workloadFile(nil, catalog: catalog)
        var rows = Self.txnLevels(try TxnWorkloadFile.load(from: defaultFile), runs: runs)
        rows.append(try Self.txnParse(defaultFile, label: "txn parse: default workloads file (JSON and operations)", runs: runs))
        rows.append(try Self.txnParseAtScale(transactions: 10_000, runs: runs))
        let defaults = try TxnWorkloadFile.load(from: defaultFile)
        var systemWorkloads = ["YCSB_300_S50", "YCSB_1000_S80"].compactMap { name in defaults.first { $0.name == name } }
        if let data = try? catalog.referenceData() {
            let file = data.appendingPathComponent("txn/workloads.json")
            systemWorkloads.insert(contentsOf: try TxnWorkloadFile.load(from: file).prefix(1), at: 0)
            rows.append(try Self.txnParse(file, label: "txn parse: reference workloads.json (3 × 100 txns)", runs: runs))
            let workloads = try TxnWorkloadFile.load(from: file)
            if let w1 = workloads.first(where: { $0.name == "WORKLOAD_1" }) {
                rows.append(Self.txnMakespan(w1, label: "txn makespan, WORKLOAD_1 identity (100 txns)", runs: runs))
            }
        }
        return rows + (try Self.txnSystem(systemWorkloads, runs: runs))
    }

    /// One execution of the smf order on PostgreSQL (the system level's unit: it runs each
    /// schedule `TxnSystemSettings.runs` times), per workload size, wall clock: 100 transactions
    /// (reference WORKLOAD_1, with the data), 300 (the largest the level runs) and 1,000 (to
    /// show how it grows). At most 5 runs each: a 1,000-transaction run takes seconds. Without
    /// PostgreSQL's programs, no rows and one note on stderr.
    static func txnSystem(_ workloads: [NamedTxnWorkload], runs: Int) throws -> [BenchRow] {
        let engine: TxnSystemEngine
        do { engine = try TxnSystemEngine.shared() } catch let error as EngineError {
            FileHandle.standardError.write(Data("bench: txn system rows skipped: \(error.description)\n".utf8))
            return []
        }
        let settings = TxnSystemSettings(runs: 1)
        return try workloads.map { w in
            let order = BuiltinTxnPolicy.smf.schedule(w.workload, seed: 0)
            var sink = 0.0
            let samples = try BenchSamples.wallTime(runs: min(runs, 5), sink: { sink += $0 }) { () throws -> Double in
                do { return try engine.measure(w.workload, order: order, settings: settings).makespanSeconds } catch let error as EngineError {
                    throw CascadeError.system(error.description)
                }
            }
            precondition(sink > 0)
            return BenchRow("txn system: smf order on PostgreSQL, \(w.name) (\(w.workload.transactions.count) txns, "
                            + "\(settings.connections) connections, \(settings.workMicroseconds) µs/op), one run with its table reset",
                            clock: "wall", samples)
        }
    }

    /// The transaction levels' scoring of the smf template's orders on the default workloads
    /// (the search set, 50,800 transactions), in process: what each level adds to the sandbox's cost.
    static func txnLevels(_ workloads: [NamedTxnWorkload], runs: Int) -> [BenchRow] {
        let orders = workloads.map { BuiltinTxnPolicy.smf.schedule($0.workload, seed: 0) }
        let sample = TxnLevels.models(workloads: workloads)[0].workloads
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
        let size = "\(workloads.count) default workloads, \(workloads.reduce(0) { $0 + $1.workload.transactions.count }) txns"
        return [BenchRow("txn cost model: conflict chains, 25 % sample of the \(size)", clock: "cpu", estimate),
                BenchRow("txn coarse: public makespan, \(size)", clock: "cpu", exact),
                BenchRow("txn fine: 2PL execution, 4 workers, \(size)", clock: "cpu", executed)]
    }

    /// Reading a workload file: JSON, then every operation string.
    static func txnParse(_ file: URL, label: String, runs: Int) throws -> BenchRow {
        var count = 0
        let parse = try BenchSamples.cpuTime(runs: runs, sink: { count &+= $0 }) { () throws -> Int in
            try TxnWorkloadFile.load(from: file).reduce(0) { $0 + $1.workload.transactions.count }
        }
        precondition(count > 0)
        return BenchRow(label, clock: "cpu", parse)
    }

    /// Reading one deterministic workload of `transactions` transactions of 2–16 operations on
    /// 5,000 keys, from its JSON bytes in memory.
    static func txnParseAtScale(transactions: Int, runs: Int) throws -> BenchRow {
        var text = "{\"SCALE\": {"
        for t in 0..<transactions {
            let ops = (0..<(2 + t % 15)).map { o in o % 5 == 4 ? "*" : "\(o % 3 == 0 ? "w" : "r")-\((t * 31 + o * 17) % 5000)" }
            text += (t == 0 ? "" : ", ") + "\"txn\(t)\": \"\(ops.joined(separator: " "))\""
        }
        text += "}}"
        let data = Data(text.utf8)
        var count = 0
        let parse = try BenchSamples.cpuTime(runs: runs, sink: { count = $0 }) { () throws -> Int in
            try TxnWorkloadFile.decode(data, path: "generated").reduce(0) { $0 + $1.workload.transactions.count }
        }
        precondition(count == transactions)
        return BenchRow("txn parse: one generated \(transactions / 1000)k-transaction workload", clock: "cpu", parse)
    }

    /// One makespan evaluation of the identity order, repeated so that a run lasts long enough to
    /// time; the figure per item is one evaluation.
    static func txnMakespan(_ w: NamedTxnWorkload, label: String, runs: Int) -> BenchRow {
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
        return BenchRow(label, clock: "cpu", m, items: repeats)
    }
}
