import Cascade
import Foundation

/// Evaluates a child through the cascade and turns the outcome into what the loop stores: the
/// fitness is the fine level's metric the problem names — or, when the cascade's top is a real
/// system above the fine level (txn's `system`, named in the gates file's `cascade_levels`),
/// that level's primary metric.
public struct CascadeEvaluation: Sendable {
    public var problem: CandidateProblem
    public var evaluator: CandidateEvaluator
    /// Built once for the run: every child is scored on the same inputs.
    public var cascade: CandidateEvaluator.PreparedCascade
    /// Which stopped children also run the levels they did not reach, ungated (the fine one is
    /// the fine-only counterfactual), and those levels (`nil` without sampling).
    public var counterfactual: CounterfactualSampling
    var ungated: CandidateEvaluator.PreparedCascade?

    public init(problem: CandidateProblem, evaluator: CandidateEvaluator, inputs: CandidateInputs, options: CascadeOptions,
                counterfactual: CounterfactualSampling = CounterfactualSampling(share: 0, seed: 0)) throws {
        self.problem = problem
        self.evaluator = evaluator
        self.counterfactual = counterfactual
        cascade = try evaluator.prepare(inputs, cascade: options)
        if counterfactual.share > 0 {
            // Every level the run runs, past failures too (never an on-demand level it does not).
            ungated = try evaluator.prepare(inputs, cascade: CascadeOptions(gates: [], budgets: options.budgets, allLevels: true,
                                                                            levels: cascade.levelNames))
        }
    }

    /// The level whose metric is the fitness: the cascade's last.
    public var topLevel: String { cascade.levelNames.last ?? "fine" }

    /// The problem's fitness, or the top level's primary metric when that is not the fine level.
    public var fitness: LevelMetric { topLevel == "fine" ? problem.fitness : cascade.topMetric ?? problem.fitness }

    /// - Parameter references: per gated level, the value its gate compares with instead of the
    ///   level's reference policy's (`gateReferences(of:)` of the parent).
    public func evaluate(_ source: String, references: [String: Double] = [:]) throws -> EvaluatedChild {
        let outcome = try evaluator.evaluate(source: source, on: cascade, references: references)
        var child = Self.child(valid: outcome.valid, rejectedAt: outcome.rejectedAt, failure: outcome.failure.map { ($0.kind.rawValue, $0.message) },
                               compileSeconds: outcome.compileSeconds, stages: outcome.stages.map(StageRecord.init),
                               fitness: fitness, topLevel: topLevel)
        // A child that compiled and was stopped before the fine level, if sampled: every level it
        // did not reach, ungated (its compile is a cache hit; the cheap levels it ran run again,
        // unrecorded), recorded beside the cascade's stages — the fine one is what the fine level
        // alone would have said, the cheap ones let `GateRules` replay other gates.
        let stages = outcome.stages.map(StageRecord.init)
        if let ungated, wantsCounterfactual(stages, source) {
            let all = try evaluator.evaluate(source: source, on: ungated)
            child.evaluations += counterfactualRecords(ran: stages, ungated: all.stages.map(StageRecord.init))
        }
        return child
    }

    /// Whether a child with these stages gets counterfactual records: it compiled, was stopped
    /// before the top level, and its source is sampled.
    func wantsCounterfactual(_ stages: [StageRecord], _ source: String) -> Bool {
        !stages.isEmpty && !stages.contains { $0.level == topLevel && $0.status != "skipped" } && counterfactual.samples(source)
    }

    /// The records of every level of the cascade the child did not reach, from its ungated
    /// evaluation's stages (the same whether it ran here or in another process).
    func counterfactualRecords(ran stages: [StageRecord], ungated: [StageRecord]) -> [EvaluationRecord] {
        let ran = Set(stages.filter { $0.status != "skipped" }.map(\.level))
        let runLevels = Set(cascade.levelNames)
        return ungated.filter { runLevels.contains($0.level) && !ran.contains($0.level) && $0.status != "skipped" }.map { s in
            EvaluationRecord(stage: EvaluationRecord.counterfactualPrefix + s.level, status: s.status, metrics: Self.json(s.metrics),
                             artifacts: "[]", seconds: s.seconds, failureKind: s.failure?.kind, failureMessage: s.failure?.message)
        }
    }

    /// The child an `eval --json` report describes — an evaluation run in another process or on
    /// another machine with this run's inputs, gates, budgets and `references` — as `evaluate`
    /// would have stored it (without counterfactual records: those are a second evaluation).
    /// - Throws: `CascadeError.executor` when the data is not such a report.
    public func child(fromReport data: Data) throws -> EvaluatedChild {
        try Self.child(fromReport: data, fitness: fitness, topLevel: topLevel)
    }

    /// `child(fromReport:)` for a cascade whose top level is `topLevel` and fitness `fitness`.
    public static func child(fromReport data: Data, fitness: LevelMetric, topLevel: String) throws -> EvaluatedChild {
        let report: RemoteReport
        do {
            report = try JSONDecoder().decode(RemoteReport.self, from: data)
        } catch {
            throw CascadeError.executor("not an eval --json report: \(error)")
        }
        return child(from: report, fitness: fitness, topLevel: topLevel)
    }

    func child(from report: RemoteReport) -> EvaluatedChild { Self.child(from: report, fitness: fitness, topLevel: topLevel) }

    static func child(from report: RemoteReport, fitness: LevelMetric, topLevel: String) -> EvaluatedChild {
        child(valid: report.valid, rejectedAt: report.rejectedAt, failure: report.failure.map { ($0.kind, $0.message) },
              compileSeconds: report.timing.compileSeconds, stages: report.stages.map(StageRecord.init),
              fitness: fitness, topLevel: topLevel)
    }

    /// One stage as the store keeps it, from an outcome in process or a report.
    struct StageRecord {
        var level: String
        var status: String
        var metrics: [String: Double]
        var artifacts: [String]
        var seconds: Double
        var failure: (kind: String, message: String)?

        init(_ s: StageReport) {
            (level, status, metrics, artifacts, seconds) = (s.level, s.status.rawValue, s.metrics, s.artifacts, s.seconds)
            failure = s.failure.map { ($0.kind.rawValue, $0.message) }
        }

        init(_ s: RemoteReport.Stage) {
            (level, status, metrics, artifacts, seconds) = (s.level, s.status, s.metrics, s.artifacts, s.seconds)
            failure = s.failure.map { ($0.kind, $0.message) }
        }
    }

    /// What the loop stores of an evaluation: the compile first (its seconds, which a store dump
    /// leaves out as it does every time; not whether the cache answered, which would make the
    /// store depend on the cache), then each stage: the run's report adds them up per stage.
    static func child(valid: Bool, rejectedAt: String?, failure: (kind: String, message: String)?, compileSeconds: Double,
                      stages: [StageRecord], fitness metric: LevelMetric, topLevel: String) -> EvaluatedChild {
        let fine = stages.last { $0.level == topLevel }
        let score = valid ? fine?.metrics[metric.name] : nil
        let compileFailure = stages.isEmpty ? failure : nil
        let records = [EvaluationRecord(stage: "compile", status: compileFailure == nil ? "passed" : "failed",
                                        metrics: "{}", artifacts: "[]", seconds: compileSeconds,
                                        failureKind: compileFailure?.kind, failureMessage: compileFailure?.message)]
            + stages.map { s in
                EvaluationRecord(stage: s.level, status: s.status, metrics: Self.json(s.metrics), artifacts: Self.json(s.artifacts),
                                 seconds: s.seconds, failureKind: s.failure?.kind, failureMessage: s.failure?.message)
            }
        return EvaluatedChild(valid: valid && score != nil, score: score, fitness: score.map { metric.lowerIsBetter ? -$0 : $0 },
                              rejectedAt: valid ? nil : (rejectedAt ?? "compile"), evaluations: records, metrics: fine?.metrics ?? [:])
    }

    /// A program's values of the gated metrics at each gated cheap level, from its stored
    /// records (a parent passed every level, so it has them all): a child's parent-relative
    /// references. A sequential gate (decided on part of the inputs against the reference
    /// policy's values there) and a gate at the fine level (whose pass is validity) keep the
    /// reference policy's.
    public func gateReferences(of records: [EvaluationRecord]) -> [String: Double] {
        var references: [String: Double] = [:]
        for (gate, _) in cascade.gateDirections where gate.sequential == nil && gate.level != topLevel {
            guard let record = records.first(where: { $0.stage == gate.level && $0.status != "skipped" }),
                  let value = record.metric(gate.metric)
            else { continue }
            references[gate.level] = value
        }
        return references
    }

    static func json<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "null"
    }
}
