import CandidateAPI
import PostgresEngine
import Sim
import SimCore

/// The transaction problem's three levels over one set of workloads. The candidate answers the
/// same question at each (an order of a workload's transactions); the levels differ in the
/// workloads' size and in how an order is scored.
///
/// - `cost_model`: a seeded `costModelShare` of each workload's transactions, scored by the
///   longest conflict chain of the order (`TxnConflictEstimate`, two products of incidence
///   matrices).
/// - `coarse`: the whole workloads, scored by the public unit-time makespan (`TxnSchedule`).
/// - `fine`: the whole workloads executed by workers under strict 2PL with lock waits and
///   deadlock detection (`TxnExecution`): makespan, throughput, aborts and lock waits.
/// - `system` (on demand): the workloads of at most 300 transactions executed on PostgreSQL
///   (`TxnSystemLevel`).
public enum TxnLevels {
    public static let costModelShare = 0.25

    /// The three model levels (`models`), then the system level.
    /// - Parameter systemError: why the system level's settings cannot be used (it throws it
    ///   when it runs; the models run regardless).
    public static func make(workloads: [NamedTxnWorkload], seed: UInt64 = 0, system: TxnSystemSettings = TxnSystemSettings(),
                            systemError: CascadeError? = nil) -> [any FidelityLevel] {
        models(workloads: workloads, seed: seed) + [TxnSystemLevel(workloads: workloads, settings: system, settingsError: systemError)]
    }

    public static func models(workloads: [NamedTxnWorkload], seed: UInt64 = 0) -> [TxnFidelityLevel] {
        [TxnFidelityLevel(name: "cost_model", workloads: workloads.map { sample($0, share: costModelShare, seed: seed) },
                          scoring: .conflictEstimate),
         TxnFidelityLevel(name: "coarse", workloads: workloads, scoring: .unitMakespan),
         TxnFidelityLevel(name: "fine", workloads: workloads, scoring: .execution(TxnExecutionModel()))]
    }

    /// `share` of the transactions (at least 2), chosen with a seeded shuffle and kept in file
    /// order; keys renumbered in order of first appearance, as in a workload file.
    static func sample(_ named: NamedTxnWorkload, share: Double, seed: UInt64) -> NamedTxnWorkload {
        let n = named.workload.transactions.count
        var indices = Array(0..<n)
        var rng = SeededGenerator(seed: seed)
        rng.shuffle(&indices)
        let kept = indices.prefix(min(n, max(2, Int((Double(n) * share).rounded())))).sorted()
        var renumbered: [Int32: Int32] = [:]
        var names: [String] = []
        let transactions = kept.map { t in
            named.workload.transactions[t].map { op -> TxnOp in
                guard op.kind != .compute else { return op }
                if renumbered[op.key] == nil {
                    renumbered[op.key] = Int32(names.count)
                    names.append(named.keyNames[Int(op.key)])
                }
                return TxnOp(kind: op.kind, key: renumbered[op.key]!)
            }
        }
        return NamedTxnWorkload(name: named.name + " (sample)", workload: TxnWorkload(transactions: transactions, keyCount: names.count),
                                keyNames: names)
    }
}

/// A transaction level: workloads and how an order of each is scored.
public struct TxnFidelityLevel: FidelityLevel {
    public enum Scoring: Sendable, Equatable {
        case conflictEstimate, unitMakespan
        case execution(TxnExecutionModel)
    }

    public let name: String
    public let workloads: [NamedTxnWorkload]
    public let scoring: Scoring
    /// The template's (smf, seed 0) scores on this level's workloads: the gates' reference.
    let reference: [TxnWorkloadScore]
    /// Per workload, the conflict counts the cost model reads: built once, not per candidate.
    let conflicts: [Tensor<Float>?]

    public init(name: String, workloads: [NamedTxnWorkload], scoring: Scoring) {
        self.name = name
        self.workloads = workloads
        self.scoring = scoring
        let conflicts = workloads.map { scoring == .conflictEstimate ? TxnConflictEstimate.conflicts($0.workload) : nil }
        self.conflicts = conflicts
        reference = zip(workloads, conflicts).map { w, c in
            Self.score(w, order: BuiltinTxnPolicy.smf.schedule(w.workload, seed: 0), runtimeSeconds: 0, scoring: scoring, conflicts: c)
        }
    }

    /// One name per quantity: the cost model's estimate, the public unit-time makespan, and the
    /// executed (2PL) makespan and throughput are different numbers and never share a name.
    public var metrics: [LevelMetric] {
        switch scoring {
        case .conflictEstimate: return [LevelMetric(name: "estimated_makespan", lowerIsBetter: true)]
        case .unitMakespan: return [LevelMetric(name: "total_makespan", lowerIsBetter: true)]
        case .execution:
            return [LevelMetric(name: "total_execution_makespan", lowerIsBetter: true),
                    LevelMetric(name: "execution_throughput", lowerIsBetter: false), LevelMetric(name: "aborts", lowerIsBetter: true)]
        }
    }
    public var primaryMetric: String { metrics[0].name }

    /// The public makespan, and the level's own where it has one.
    static func score(_ w: NamedTxnWorkload, order: [Int], runtimeSeconds: Double, scoring: Scoring,
                      conflicts: Tensor<Float>?) -> TxnWorkloadScore {
        var publicModel = TxnSchedule(w.workload)
        let publicMakespan = publicModel.evaluate(order)
        var score = TxnWorkloadScore(name: w.name, makespan: publicMakespan, schedule: order, runtimeSeconds: runtimeSeconds)
        switch scoring {
        case .unitMakespan:
            break
        case .conflictEstimate:
            score.estimate = TxnConflictEstimate.makespan(w.workload, order: order, conflicts: conflicts)
        case .execution(let model):
            score.execution = TxnExecution.run(w.workload, order: order, model: model)
        }
        return score
    }

    func metricValues(_ scores: [TxnWorkloadScore]) -> [String: Double] {
        let total = scores.reduce(0) { $0 + $1.levelMakespan }
        var metrics = [primaryMetric: total]
        let executions = scores.compactMap(\.execution)
        if !executions.isEmpty {
            metrics["execution_throughput"] = Double(scores.reduce(0) { $0 + $1.schedule.count }) / total
            metrics["aborts"] = Double(executions.reduce(0) { $0 + $1.aborts })
        }
        return metrics
    }

    public func run(_ candidate: CompiledCandidate, sandbox: Sandbox, budget: StageBudget?, test: SequentialTest?) throws
        -> LevelResult {
        let session = try sandbox.limited(to: budget).start(executable: candidate.executable)
        let outcome = TxnCandidateRunner(workloads: workloads).run(session)
        switch outcome {
        case .failure(let failure):
            return LevelResult(level: name, metrics: [:], failure: failure, seconds: monotonicSeconds() - session.startTime,
                               score: nil, artifacts: [], log: session.logText)
        case .success(let answers):
            let scores = zip(workloads, answers).enumerated().map { i, pair in
                Self.score(pair.0, order: pair.1.schedule, runtimeSeconds: pair.1.runtimeSeconds, scoring: scoring,
                           conflicts: conflicts[i])
            }
            if let stalled = scores.first(where: { $0.execution?.finished == false }) {
                throw CascadeError.system("the execution of \(stalled.name) did not finish within its event budget: a fault of "
                    + "the transaction model, so no score is given")
            }
            // The level's time includes its scoring, as a spot level's includes its simulation.
            let seconds = monotonicSeconds() - session.startTime
            return LevelResult(level: name, metrics: metricValues(scores), failure: nil, seconds: seconds, score: CandidateScore(scores),
                               artifacts: name == "fine" ? notes(scores) : [], log: session.logText,
                               items: (workloads.count, workloads.count))
        }
    }

    public func referenceMetrics() -> [String: Double] { metricValues(reference) }

    /// Each workload against the template: what the executed order cost, and why.
    func notes(_ scores: [TxnWorkloadScore]) -> [String] {
        zip(scores, reference).map { s, r in
            let e = s.execution, re = r.execution
            return "\(s.name): executed makespan \(fixed(e?.makespan ?? 0)) vs template \(fixed(re?.makespan ?? 0)); "
                + "public makespan \(s.makespan) vs \(r.makespan); \(e?.aborts ?? 0) aborts (template \(re?.aborts ?? 0)), "
                + "lock wait \(fixed(e?.lockWait ?? 0)) (template \(fixed(re?.lockWait ?? 0)))"
        }
    }

    private func fixed(_ x: Double) -> String { String((x * 100).rounded() / 100 + 0.0) }
}
