import Cascade
import Foundation

/// Evaluates a child through the cascade and turns the outcome into what the loop stores: the
/// fitness is the fine level's metric the problem names.
public struct CascadeEvaluation: Sendable {
    public var problem: CandidateProblem
    public var evaluator: CandidateEvaluator
    /// Built once for the run: every child is scored on the same inputs.
    public var cascade: CandidateEvaluator.PreparedCascade
    /// Which stopped children also run through the fine level alone, and that level (`nil`
    /// without sampling).
    public var counterfactual: CounterfactualSampling
    var fineOnly: CandidateEvaluator.PreparedCascade?

    public init(problem: CandidateProblem, evaluator: CandidateEvaluator, inputs: CandidateInputs, options: CascadeOptions,
                counterfactual: CounterfactualSampling = CounterfactualSampling(share: 0, seed: 0)) throws {
        self.problem = problem
        self.evaluator = evaluator
        self.counterfactual = counterfactual
        cascade = try evaluator.prepare(inputs, cascade: options)
        if counterfactual.share > 0 {
            var alone = options
            alone.onlyLevel = "fine"
            fineOnly = try evaluator.prepare(inputs, cascade: alone)
        }
    }

    public func evaluate(_ source: String) throws -> EvaluatedChild {
        let outcome = try evaluator.evaluate(source: source, on: cascade)
        let metric = problem.fitness
        let fine = outcome.stages.last { $0.level == "fine" }
        let score = outcome.valid ? fine?.metrics[metric.name] : nil
        // The compile first (its seconds, which a store dump leaves out as it does every time;
        // not whether the cache answered, which would make the store depend on the cache), then
        // each stage: the run's report adds them up per stage.
        let compileFailure = outcome.stages.isEmpty ? outcome.failure : nil
        var records = [EvaluationRecord(stage: "compile", status: compileFailure == nil ? "passed" : "failed",
                                        metrics: "{}", artifacts: "[]",
                                        seconds: outcome.compileSeconds, failureKind: compileFailure?.kind.rawValue,
                                        failureMessage: compileFailure?.message)]
            + outcome.stages.map { s in
                EvaluationRecord(stage: s.level, status: s.status.rawValue, metrics: Self.json(s.metrics), artifacts: Self.json(s.artifacts),
                                 seconds: s.seconds, failureKind: s.failure?.kind.rawValue, failureMessage: s.failure?.message)
            }
        // A child that compiled and was stopped before the fine level, if sampled: the fine
        // level alone on it (its compile is a cache hit), recorded beside the cascade's stages.
        let ranFine = outcome.stages.contains { $0.level == "fine" && $0.status != .skipped }
        if !outcome.stages.isEmpty, !ranFine, let fineOnly,
           counterfactual.samples(source) {
            let alone = try evaluator.evaluate(source: source, on: fineOnly)
            if let s = alone.stages.last {
                records.append(EvaluationRecord(stage: EvaluationRecord.counterfactualStage, status: s.status.rawValue,
                                                metrics: Self.json(s.metrics), artifacts: "[]", seconds: s.seconds,
                                                failureKind: s.failure?.kind.rawValue, failureMessage: s.failure?.message))
            }
        }
        return EvaluatedChild(valid: outcome.valid && score != nil, score: score,
                              fitness: score.map { metric.lowerIsBetter ? -$0 : $0 },
                              rejectedAt: outcome.valid ? nil : (outcome.rejectedAt ?? "compile"), evaluations: records,
                              metrics: fine?.metrics ?? [:])
    }

    static func json<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "null"
    }
}
