import CandidateAPI
import Sim
import SimCore

/// Sends one problem instance to the child and times the answer (the child never reports a
/// runtime: the parent measures from the request's first byte to the answer's last).
func solve(_ session: ChildSession, _ request: [UInt8], maxAnswerBytes: Int) -> Result<(WireReaderBox, Double), CandidateFailure> {
    let start = monotonicSeconds()
    switch session.exchange(request, maxAnswerBytes: maxAnswerBytes) {
    case .failure(let failure): return .failure(failure)
    case .success(let bytes): return .success((WireReaderBox(bytes), monotonicSeconds() - start))
    }
}

/// Sends the end request and reaps the child.
func endProtocol(_ session: ChildSession) {
    var end = WireWriter()
    OneShotWire.encodeEnd(into: &end)
    session.finish(endFrame: end.bytes)
}

/// Owns answer bytes and hands out readers over them.
struct WireReaderBox {
    let bytes: [UInt8]
    init(_ bytes: [UInt8]) { self.bytes = bytes }
    func read<R>(_ body: (inout WireReader) -> R) -> R {
        bytes.withUnsafeBytes { raw in
            var reader = WireReader(raw)
            return body(&reader)
        }
    }
}

/// EPLB: the placement computed from window i is scored on window i + 1.
public struct EPLBCandidateRunner {
    public var windows: [[[Double]]]
    public var shape: EPLBShape

    public init(windows: [[[Double]]], shape: EPLBShape) {
        self.windows = windows
        self.shape = shape
    }
}

extension EPLBCandidateRunner {
    /// A placement the candidate computed, validated, and how long the exchange took.
    public struct Placed: Sendable {
        public var window: Int
        public var placement: EPLBPlacement
        public var runtimeSeconds: Double
    }

    /// Asks the child for placements from `indices` (increasing window indices), in order: the
    /// child sees only windows at or before the one it places from.
    public func placements(_ session: ChildSession, at indices: [Int]) -> Result<[Placed], CandidateFailure> {
        var writer = WireWriter(capacity: 1 << 20)
        var placed: [Placed] = []
        for i in indices {
            let input = shape.input(windows[i])
            OneShotWire.encode(input, into: &writer)
            let answer: WireReaderBox, seconds: Double
            switch solve(session, writer.bytes, maxAnswerBytes: 8 + input.layers * (4 + 4 * shape.replicas)) {
            case .failure(let failure): return .failure(failure)
            case .success(let result): (answer, seconds) = result
            }
            guard let phy2log = answer.read({ OneShotWire.readRows(&$0, maxRows: input.layers, maxPerRow: shape.replicas) }) else {
                session.killAndReap()
                return .failure(CandidateFailure(.invalidAnswer, "window \(i): malformed or oversized phy2log"))
            }
            do {
                let placement = try EPLBPlacement(phy2log: phy2log, layers: input.layers, experts: input.experts, replicas: shape.replicas)
                placed.append(Placed(window: i, placement: placement, runtimeSeconds: seconds))
            } catch {
                session.killAndReap()
                return .failure(CandidateFailure(.invalidAnswer, "window \(i): \(error)"))
            }
        }
        endProtocol(session)
        return .success(placed)
    }
}

/// One table's score.
public struct PrefixTableScore: Sendable {
    public var name: String
    public var rows: Int
    /// The exact (public) prefix hit rate.
    public var rate: PrefixHitRate
    public var runtimeSeconds: Double
    /// The candidate's validated answer.
    public var ordering: PrefixOrdering? = nil
    /// The cost model's estimate of the hit rate.
    public var estimate: Double? = nil
    /// The fine level's KV-cache simulation of the rows in the candidate's order.
    public var cache: KVCacheResult? = nil
}

/// Prefix: each table is reordered by a fresh instance and measured exactly.
public struct PrefixCandidateRunner {
    public var tables: [(name: String, table: PrefixTable)]

    public init(tables: [(name: String, table: PrefixTable)]) { self.tables = tables }

    public func run(_ session: ChildSession) -> Result<[PrefixTableScore], CandidateFailure> {
        var writer = WireWriter(capacity: 1 << 20)
        var scores: [PrefixTableScore] = []
        for (name, table) in tables {
            OneShotWire.encode(table, into: &writer)
            let rows = table.rows.count, fields = table.columns.count
            let answer: WireReaderBox, seconds: Double
            switch solve(session, writer.bytes, maxAnswerBytes: 16 + rows * (4 + 4 * fields) + 4 * rows) {
            case .failure(let failure): return .failure(failure)
            case .success(let result): (answer, seconds) = result
            }
            let ordering: PrefixOrdering? = answer.read { reader in
                guard let orders = OneShotWire.readRows(&reader, maxRows: rows, maxPerRow: fields),
                      let flag = reader.u8() else { return nil }
                if flag == 0 { return PrefixOrdering(fieldOrders: orders) }
                guard flag == 1, let rowOrder = OneShotWire.readRows(&reader, maxRows: 1, maxPerRow: rows), rowOrder.count == 1
                else { return nil }
                return PrefixOrdering(fieldOrders: orders, rowOrder: rowOrder[0])
            }
            guard let ordering else {
                session.killAndReap()
                return .failure(CandidateFailure(.invalidAnswer, "\(name): malformed or oversized ordering"))
            }
            do {
                scores.append(PrefixTableScore(name: name, rows: rows, rate: try PrefixHitRate(table: table, ordering: ordering),
                                               runtimeSeconds: seconds, ordering: ordering))
            } catch {
                session.killAndReap()
                return .failure(CandidateFailure(.invalidAnswer, "\(name): \(error)"))
            }
        }
        endProtocol(session)
        return .success(scores)
    }
}

/// One workload's score.
public struct TxnWorkloadScore: Sendable {
    public var name: String
    /// The public unit-time makespan.
    public var makespan: Int
    public var schedule: [Int]
    public var runtimeSeconds: Double
    /// The cost model's conflict-chain estimate of the schedule.
    public var estimate: Int? = nil
    /// The fine level's execution of the schedule.
    public var execution: TxnExecutionResult? = nil

    /// The makespan of the level that scored it: executed, estimated, else public.
    public var levelMakespan: Double { execution?.makespan ?? Double(estimate ?? makespan) }
}

/// Transactions: each workload is scheduled by a fresh instance; the makespan is computed here.
public struct TxnCandidateRunner {
    public var workloads: [NamedTxnWorkload]

    public init(workloads: [NamedTxnWorkload]) { self.workloads = workloads }

    public func run(_ session: ChildSession) -> Result<[TxnWorkloadScore], CandidateFailure> {
        var writer = WireWriter(capacity: 1 << 16)
        var scores: [TxnWorkloadScore] = []
        for w in workloads {
            let n = w.workload.transactions.count
            OneShotWire.encode(w.workload, into: &writer)
            let answer: WireReaderBox, seconds: Double
            switch solve(session, writer.bytes, maxAnswerBytes: 8 + 4 * n) {
            case .failure(let failure): return .failure(failure)
            case .success(let result): (answer, seconds) = result
            }
            guard let rows = answer.read({ OneShotWire.readRows(&$0, maxRows: 1, maxPerRow: n) }), rows.count == 1 else {
                session.killAndReap()
                return .failure(CandidateFailure(.invalidAnswer, "\(w.name): malformed or oversized schedule"))
            }
            do {
                try TxnScheduleFile.validate(rows[0], transactions: n, partial: false, name: w.name)
            } catch {
                session.killAndReap()
                return .failure(CandidateFailure(.invalidAnswer, "\(error)"))
            }
            var state = TxnSchedule(w.workload)
            scores.append(TxnWorkloadScore(name: w.name, makespan: state.evaluate(rows[0]), schedule: rows[0],
                                           runtimeSeconds: seconds))
        }
        endProtocol(session)
        return .success(scores)
    }
}
