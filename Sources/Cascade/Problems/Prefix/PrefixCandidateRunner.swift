import CandidateAPI
import CandidateWire
import Sim
import SimCore

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

    public func run(_ session: some QueryChannel) -> Result<[PrefixTableScore], CandidateFailure> {
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

