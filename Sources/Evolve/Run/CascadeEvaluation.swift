import Cascade
import Foundation

/// Evaluates a child through the cascade and turns the outcome into what the loop stores: the
/// fitness is the fine level's metric the problem names.
public struct CascadeEvaluation: Sendable {
    public var problem: CandidateProblem
    public var evaluator: CandidateEvaluator
    /// Built once for the run: every child is scored on the same inputs.
    public var cascade: CandidateEvaluator.PreparedCascade

    public init(problem: CandidateProblem, evaluator: CandidateEvaluator, inputs: CandidateInputs, options: CascadeOptions) throws {
        self.problem = problem
        self.evaluator = evaluator
        cascade = try evaluator.prepare(inputs, cascade: options)
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
        let records = [EvaluationRecord(stage: "compile", status: compileFailure == nil ? "passed" : "failed",
                                        metrics: "{}", artifacts: "[]",
                                        seconds: outcome.compileSeconds, failureKind: compileFailure?.kind.rawValue,
                                        failureMessage: compileFailure?.message)]
            + outcome.stages.map { s in
                EvaluationRecord(stage: s.level, status: s.status.rawValue, metrics: Self.json(s.metrics), artifacts: Self.json(s.artifacts),
                                 seconds: s.seconds, failureKind: s.failure?.kind.rawValue, failureMessage: s.failure?.message)
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
