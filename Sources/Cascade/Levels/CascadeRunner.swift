import Foundation
import Sim
import SimCore

/// What happened at one stage of the cascade.
public struct StageReport: Sendable {
    public enum Status: String, Sendable {
        /// Ran and passed its gate (or had none).
        case passed
        /// Ran, but its gate stopped the candidate.
        case rejected
        /// The candidate failed inside the stage (crash, timeout, deadline miss, …).
        case failed
        /// Not run: an earlier stage stopped the candidate.
        case skipped
    }

    public var level: String
    public var status: Status
    public var metrics: [String: Double]
    /// The reference policy's value of the gated metric at this level.
    public var reference: Double?
    public var gate: LevelGate?
    /// `gate.factor × reference`.
    public var threshold: Double?
    public var seconds: Double
    public var failure: CandidateFailure?
    public var artifacts: [String]
    /// The candidate's stdout and stderr during this stage (capped).
    public var log: String
    /// The stage's budget (`nil`: the sandbox's limits).
    public var budget: StageBudget? = nil
    /// How a sequential gate decided, and on how many items (`metrics` are over those).
    public var sequential: SequentialTest.Verdict? = nil
    public var items: (run: Int, total: Int)? = nil
    /// The level's primary metric (what its table row shows).
    public var primaryMetric: String? = nil

    static func skipped(_ level: String) -> StageReport {
        StageReport(level: level, status: .skipped, metrics: [:], reference: nil, gate: nil, threshold: nil, seconds: 0,
                    failure: nil, artifacts: [], log: "")
    }
}

/// Runs a compiled candidate through levels in order, each within its budget, stopping at the
/// first failure or gate (unless `allLevels`).
public struct CascadeRunner: Sendable {
    public var levels: [any FidelityLevel]
    public var gates: [LevelGate]
    /// Per-level budgets; a level without one gets the sandbox's limits.
    public var budgets: [StageBudget]
    public var allLevels: Bool

    public init(levels: [any FidelityLevel], gates: [LevelGate], budgets: [StageBudget] = [], allLevels: Bool = false) {
        self.levels = levels
        self.gates = gates
        self.budgets = budgets
        self.allLevels = allLevels
    }

    /// Checks the gates and budgets against the levels.
    /// - Throws: `CascadeError.invalidBudget` naming an unknown level or metric, a bad factor,
    ///   or sequential settings the level cannot honour.
    public func validated() throws -> CascadeRunner {
        func level(_ name: String, _ what: String) throws -> any FidelityLevel {
            guard let level = levels.first(where: { $0.name == name }) else {
                throw CascadeError.invalidBudget(name: what, value: name,
                                                 reason: "no such level (levels: \(levels.map(\.name).joined(separator: ", ")))")
            }
            return level
        }
        for gate in gates {
            let level = try level(gate.level, "gate")
            guard level.metrics.contains(where: { $0.name == gate.metric }) else {
                throw CascadeError.invalidBudget(name: "gate", value: "\(Escaped.value(gate.level)).\(Escaped.value(gate.metric))",
                                                 reason: "the level produces \(level.metrics.map(\.name).joined(separator: ", "))")
            }
            guard gate.factor > 0, gate.factor <= 1000 else {
                throw CascadeError.invalidBudget(name: "gate", value: "\(gate.factor)", reason: "factor must be in (0, 1000]")
            }
            if let sequential = gate.sequential {
                guard level.sequentialMetrics.contains(gate.metric) else {
                    throw CascadeError.invalidBudget(
                        name: "sequential gate", value: "\(Escaped.value(gate.level)).\(Escaped.value(gate.metric))",
                        reason: level.sequentialMetrics.isEmpty ? "this level always runs all its inputs"
                            : "only \(level.sequentialMetrics.joined(separator: ", ")) can be decided sequentially here")
                }
                guard sequential.batches >= 1, sequential.confidence > 0, sequential.confidence <= 0.999_999 else {
                    throw CascadeError.invalidBudget(name: "sequential gate", value: gate.level,
                                                     reason: "needs batches ≥ 1 and a confidence in (0, 0.999999]")
                }
            }
        }
        guard Set(gates.map(\.level)).count == gates.count else {
            throw CascadeError.invalidBudget(name: "gates", value: gates.map(\.level).joined(separator: ", "),
                                             reason: "at most one gate per level")
        }
        for budget in budgets { _ = try level(budget.level, "budget"); _ = try budget.validated() }
        guard Set(budgets.map(\.level)).count == budgets.count else {
            throw CascadeError.invalidBudget(name: "budgets", value: budgets.map(\.level).joined(separator: ", "),
                                             reason: "at most one budget per level")
        }
        return self
    }

    /// - Parameter references: per level, the gate's reference value in place of the level's
    ///   reference policy's on the whole inputs (a sequential gate, decided on batches against
    ///   the reference policy's values there, keeps the reference policy's).
    /// - Returns: one report per level, the stage that stopped the candidate and why, and the
    ///   last level's score when the candidate passed everything.
    public func run(_ candidate: CompiledCandidate, sandbox: Sandbox, references: [String: Double] = [:]) throws
        -> (stages: [StageReport], rejectedAt: String?, failure: CandidateFailure?, score: CandidateScore?) {
        var stages: [StageReport] = []
        var rejectedAt: String?
        var failure: CandidateFailure?
        var score: CandidateScore?
        for (index, level) in levels.enumerated() {
            if rejectedAt != nil && !allLevels {
                stages.append(.skipped(level.name))
                continue
            }
            let gate = gates.first { $0.level == level.name }
            let lowerIsBetter = gate.flatMap { g in level.metrics.first { $0.name == g.metric } }?.lowerIsBetter ?? true
            // With --all-levels every level runs all its inputs: calibration needs full metrics.
            let test = allLevels ? nil : gate.flatMap { g in
                g.sequential.map { SequentialTest(settings: $0, factor: g.factor, lowerIsBetter: lowerIsBetter,
                                                  mayPassEarly: index < levels.count - 1) }
            }
            let budget = budgets.first { $0.level == level.name }
            let result = try level.run(candidate, sandbox: sandbox, budget: budget, test: test)
            var report = StageReport(level: level.name, status: .passed, metrics: result.metrics, reference: nil,
                                     gate: nil, threshold: nil, seconds: result.seconds, failure: result.failure,
                                     artifacts: result.artifacts, log: result.log, budget: budget,
                                     sequential: result.sequential, items: result.items, primaryMetric: level.primaryMetric)
            if let stageFailure = result.failure {
                report.status = .failed
                if rejectedAt == nil {
                    rejectedAt = level.name
                    failure = stageFailure
                }
            } else if let gate, !(result.metrics[gate.metric]?.isFinite ?? false) {
                // A gate never passes what it cannot read.
                report.gate = gate
                report.status = .rejected
                if rejectedAt == nil {
                    rejectedAt = level.name
                    failure = CandidateFailure(.rejected, "\(gate.metric) is missing or not a finite number at \(level.name)")
                }
            } else if let gate, let value = result.metrics[gate.metric],
                      let reference = result.referenceOnItemsRun.flatMap({ $0[gate.metric] })
                        ?? (result.referenceOnItemsRun == nil ? (gate.sequential == nil ? references[level.name] : nil)
                            ?? level.referenceMetrics()[gate.metric] : nil) {
                // On part of the inputs, the threshold is the reference's on the same part.
                let threshold = gate.factor * reference
                report.gate = gate
                report.reference = reference
                report.threshold = threshold
                let partial = result.sequential.map { $0.unitsRun < $0.unitsTotal } ?? false
                let rejected = partial ? result.sequential!.decision == .reject
                    : (lowerIsBetter ? value > threshold : value < threshold)
                if rejected {
                    report.status = .rejected
                    if rejectedAt == nil {
                        rejectedAt = level.name
                        let on = result.items.map { partial ? " on the \($0.run) of \($0.total) items run" : "" } ?? ""
                        failure = CandidateFailure(.rejected, "\(gate.metric) \(format(value)) vs gate \(format(threshold))\(on) "
                            + "(\(format(gate.factor)) × the reference's \(format(reference)))"
                            + (partial ? " " + describe(result.sequential!) : ""))
                    }
                }
            }
            if index == levels.count - 1 && rejectedAt == nil { score = result.score }
            stages.append(report)
        }
        return (stages, rejectedAt, failure, score)
    }

    private func format(_ x: Double) -> String { String((x * 1e4).rounded() / 1e4 + 0.0) }

    private func describe(_ verdict: SequentialTest.Verdict) -> String {
        "[sequential: after \(verdict.unitsRun) of \(verdict.unitsTotal) units, mean excess over the gate in "
            + "[\(format(verdict.meanExcess.lowerBound)), \(format(verdict.meanExcess.upperBound))]]"
    }
}
