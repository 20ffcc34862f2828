import Sim
import SimCore

/// `eval` output: the score with the field names of the matching `simulate`, or the failure.
public struct EvalReport: Encodable, Sendable {
    public var candidate: String
    public var inputs: CandidateInputs
    public var outcome: EvaluationOutcome
    /// The public evaluator's figures (spot problems): a diagnostic beside the score, never it.
    public var publicEvaluator: PublicEvaluatorReport?
    /// Without the problem's figures and per-item results and without the candidate's log: the
    /// verdict, stages, score block and timing — what a scale-out worker answers with (spot's
    /// per-scenario results are megabytes at research scale).
    public var brief = false

    public init(candidate: String, inputs: CandidateInputs, outcome: EvaluationOutcome, publicEvaluator: PublicEvaluatorReport? = nil) {
        self.candidate = candidate
        self.inputs = inputs
        self.outcome = outcome
        self.publicEvaluator = publicEvaluator
    }

    struct Failure: Encodable { var kind: String; var message: String }
    /// `EvaluationOutcome.Headline`: what a framework bridge scores by, with no table of its own.
    struct Score: Encodable {
        var metric: String
        var level: String
        var higherIsBetter: Bool
        var value: Double?
        var reference: Double?
        var normalized: Double?

        enum CodingKeys: String, CodingKey {
            case metric, level, value, reference, normalized, higherIsBetter = "higher_is_better"
        }

        func encode(to encoder: Encoder) throws {
            // Every key, null included: a reader tells "failed" from "absent" without guessing.
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(metric, forKey: .metric)
            try c.encode(level, forKey: .level)
            try c.encode(higherIsBetter, forKey: .higherIsBetter)
            try c.encode(value, forKey: .value)
            try c.encode(reference, forKey: .reference)
            try c.encode(normalized, forKey: .normalized)
        }
    }
    struct Timing: Encodable {
        var compileSeconds: Double
        var compileCached: Bool
        var compileCPUSeconds: Double?
        var runSeconds: Double

        enum CodingKeys: String, CodingKey {
            case compileSeconds = "compile_seconds", compileCached = "compile_cached", runSeconds = "run_seconds"
            case compileCPUSeconds = "compile_cpu_seconds"
        }
    }
    struct Stage: Encodable {
        var level: String
        var status: String
        var metrics: [String: Double]
        var gate: String?
        var reference: Double?
        var threshold: Double?
        var seconds: Double
        var failure: Failure?
        var budget: StageBudget?
        var itemsRun: Int?
        var itemsTotal: Int?
        var sequential: Sequential?
        /// The level's notes (what `evolve` stores per stage; the last non-empty ones are also
        /// the report's problem-named notes).
        var artifacts: [String]

        enum CodingKeys: String, CodingKey {
            case level, status, metrics, gate, reference, threshold, seconds, failure, budget, sequential, artifacts
            case itemsRun = "items_run", itemsTotal = "items_total"
        }

        struct Sequential: Encodable {
            var decision: String
            var unitsRun: Int
            var unitsTotal: Int
            /// Per item, over the gate: positive is worse than the gate; `nil` when unbounded
            /// (one unit run).
            var meanExcessLow: Double?
            var meanExcessHigh: Double?

            enum CodingKeys: String, CodingKey {
                case decision, unitsRun = "units_run", unitsTotal = "units_total"
                case meanExcessLow = "mean_excess_low", meanExcessHigh = "mean_excess_high"
            }
        }

        init(_ s: StageReport) {
            level = s.level
            status = s.status.rawValue
            metrics = s.metrics
            gate = s.gate.map { "\($0.metric) ≤ \($0.factor) × reference" }
            reference = s.reference
            threshold = s.threshold
            seconds = s.seconds
            failure = s.failure.map { Failure(kind: $0.kind.rawValue, message: $0.message) }
            budget = s.budget
            itemsRun = s.items?.run
            itemsTotal = s.items?.total
            artifacts = s.artifacts
            sequential = s.sequential.map {
                Sequential(decision: $0.decision.rawValue, unitsRun: $0.unitsRun, unitsTotal: $0.unitsTotal,
                           meanExcessLow: $0.meanExcess.lowerBound.isFinite ? $0.meanExcess.lowerBound : nil,
                           meanExcessHigh: $0.meanExcess.upperBound.isFinite ? $0.meanExcess.upperBound : nil)
            }
        }
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: ReportKey.self)
        try c.encode(outcome.valid, forKey: "valid")
        try c.encode(outcome.problem.rawValue, forKey: "problem")
        try c.encode(candidate, forKey: "candidate")
        try c.encode(inputs.label, forKey: "inputs")
        if let score = outcome.score, !brief { try outcome.problem.encode(score, of: inputs, to: encoder) }
        if let failure = outcome.failure {
            try c.encode(Failure(kind: failure.kind.rawValue, message: failure.message), forKey: "failure")
        }
        try c.encode(outcome.rejectedAt, forKey: "rejected_at")
        if let headline = outcome.headline {
            try c.encode(Score(metric: headline.metric.name, level: headline.level, higherIsBetter: !headline.metric.lowerIsBetter,
                               value: headline.value, reference: headline.reference, normalized: headline.normalized),
                         forKey: "score")
        }
        try c.encode(outcome.buildID, forKey: "build_id")
        try c.encode(outcome.stages.map(Stage.init), forKey: "stages")
        let artifacts = outcome.stages.last { !$0.artifacts.isEmpty }?.artifacts ?? []
        if !artifacts.isEmpty {
            try c.encode(artifacts, forKey: ReportKey(outcome.problem.definition.notesKey))
        }
        try c.encodeIfPresent(publicEvaluator, forKey: "public_evaluator")
        try c.encode(Timing(compileSeconds: outcome.compileSeconds, compileCached: outcome.compileCached,
                            compileCPUSeconds: outcome.compileCPUSeconds, runSeconds: outcome.runSeconds), forKey: "timing")
        try c.encode(outcome.sandbox.rawValue, forKey: "sandbox")
        if !brief { try c.encode(outcome.log, forKey: "log") }
    }

    public var text: String {
        var lines = [
            "candidate: \(candidate) (\(outcome.problem.rawValue); compile \(outcome.compileCached ? "cached" : fixed(outcome.compileSeconds, 2) + " s"), run \(fixed(outcome.runSeconds, 3)) s, sandbox \(outcome.sandbox.rawValue))",
            "inputs: \(inputs.label)",
            "valid: \(outcome.valid)" + (outcome.rejectedAt.map { ", rejected at \($0)" } ?? ""),
        ]
        if outcome.stages.count > 1 || outcome.stages.first?.level != "fine" {
            var table = TextTable(headers: ["stage", "status", "metric", "gate threshold",
                                            outcome.problem.definition.itemNoun,
                                            "seconds", "budget s"])
            for s in outcome.stages {
                let items = s.items.map { $0.run == $0.total ? "\($0.total)" : "\($0.run) of \($0.total)" } ?? ""
                let metric = s.gate?.metric ?? s.primaryMetric
                let value = metric.flatMap { m in s.metrics[m].map { "\(m) \(fixed($0, 4))" } } ?? ""
                table.append([s.level, s.status.rawValue + (s.sequential.map { $0.unitsRun < $0.unitsTotal ? " (sequential)" : "" } ?? ""),
                              value, s.threshold.map { fixed($0, 4) } ?? "",
                              items, fixed(s.seconds, 3), s.budget.map { fixed($0.wallSeconds, 1) } ?? ""])
            }
            lines.append(table.render())
        }
        if let score = outcome.score { lines += outcome.problem.summary(score, of: inputs) }
        if let failure = outcome.failure {
            lines.append("failure: \(failure.kind.rawValue): \(CandidateText.escaped(failure.message))")
        }
        if let publicEvaluator { lines.append(publicEvaluator.text) }
        if outcome.failure != nil {
            let log = outcome.log.split(separator: "\n").suffix(10)
            if !log.isEmpty {
                // Marked and escaped: the candidate's words must not pass for the evaluator's.
                lines.append("candidate log (last lines):\n" + log.map { "  | " + CandidateText.escaped(String($0)) }.joined(separator: "\n"))
            }
        }
        return lines.joined(separator: "\n")
    }
}
