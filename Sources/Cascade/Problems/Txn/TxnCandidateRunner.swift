import CandidateAPI
import CandidateWire
import PostgresEngine
import Sim
import SimCore

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
    /// The system level's runs of the schedule on PostgreSQL.
    public var system: TxnSystemMeasurement? = nil

    /// The makespan of the level that scored it: on PostgreSQL (seconds), executed, estimated,
    /// else public (time units).
    public var levelMakespan: Double { system?.makespanSeconds ?? execution?.makespan ?? Double(estimate ?? makespan) }
}

/// Transactions: each workload is scheduled by a fresh instance; the makespan is computed here.
public struct TxnCandidateRunner {
    public var workloads: [NamedTxnWorkload]
    /// Each workload's position among the level's inputs, which its seed is drawn from
    /// (`TxnWorkload.seed(index:)`): a level that runs a subset keeps the positions of the whole,
    /// so a seeded scheduler returns the same order there as at the other levels.
    public var positions: [Int]

    public init(workloads: [NamedTxnWorkload], positions: [Int]? = nil) {
        self.workloads = workloads
        self.positions = positions ?? Array(workloads.indices)
    }

    public func run(_ session: some QueryChannel) -> Result<[TxnWorkloadScore], CandidateFailure> {
        var writer = WireWriter(capacity: 1 << 16)
        var scores: [TxnWorkloadScore] = []
        for (index, w) in workloads.enumerated() {
            let n = w.workload.transactions.count
            var workload = w.workload
            workload.seed = TxnWorkload.seed(index: positions[index])
            OneShotWire.encode(workload, into: &writer)
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
