import SimCore

/// How a problem reproduces what its public evaluator reports for a candidate that sim-cascade
/// rightly refuses to score — a late finish scored like any other run — so that a researcher can
/// compare with the leaderboard. A diagnostic only: `eval` shows it, and nothing ranks or gates
/// by it (`evolve`, calibration and the cascade never compute it).
public struct PublicEvaluatorCheck: Sendable {
    /// The model the public evaluator bills with (`reference`).
    public var model: String
    /// Every item of the inputs under that model, late finishes not failing the level.
    public var level: any FidelityLevel
    /// Whether a valid candidate's fine-level score already is the public figure (same model,
    /// every item, no late finish), so that `eval` need not run the level again.
    public var fineScoreIsPublic: Bool
    /// The figures of a score of `level` (or of the fine level when `fineScoreIsPublic`).
    public var figures: @Sendable (CandidateScore) -> PublicEvaluatorFigures?

    public init(model: String, level: any FidelityLevel, fineScoreIsPublic: Bool,
                figures: @escaping @Sendable (CandidateScore) -> PublicEvaluatorFigures?) {
        self.model = model
        self.level = level
        self.fineScoreIsPublic = fineScoreIsPublic
        self.figures = figures
    }
}

/// The public evaluator's figures for one candidate on one set of inputs.
public struct PublicEvaluatorFigures: Sendable, Equatable, Encodable {
    public var model: String
    /// The mean cost as the public evaluator computes it, late runs included.
    public var meanCost: Double
    public var runs: Int
    public var lateRuns: Int
    /// The latest finish of any run, in hours from its start.
    public var latestFinishHours: Double
    /// How far past its deadline the latest of the late runs finished (0 without late runs).
    public var maxLatenessHours: Double

    public init(model: String, meanCost: Double, runs: Int, lateRuns: Int, latestFinishHours: Double, maxLatenessHours: Double) {
        self.model = model
        self.meanCost = meanCost
        self.runs = runs
        self.lateRuns = lateRuns
        self.latestFinishHours = latestFinishHours
        self.maxLatenessHours = maxLatenessHours
    }

    enum CodingKeys: String, CodingKey {
        case model, meanCost = "mean_cost", runs, lateRuns = "late_runs", latestFinishHours = "latest_finish_hours"
        case maxLatenessHours = "max_lateness_hours"
    }
}

/// `eval`'s `public_evaluator` block: the figures, or why the diagnostic run had none.
public struct PublicEvaluatorReport: Sendable, Encodable {
    public var figures: PublicEvaluatorFigures?
    public var failure: CandidateFailure?
    /// Seconds of the extra sandboxed run (0 when the fine level's score was reused).
    public var seconds: Double

    public static let meaning = "what the public evaluator reports (its billing model, late runs scored like the others); "
        + "a diagnostic for comparing with the leaderboard, never a fitness"

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: ReportKey.self)
        try c.encode(Self.meaning, forKey: "diagnostic")
        if let figures { try figures.encode(to: encoder) }
        if let failure {
            try c.encode(["kind": failure.kind.rawValue, "message": failure.message], forKey: "failure")
        }
        try c.encode(seconds, forKey: "seconds")
    }

    /// One line for `eval`'s text output.
    public var text: String {
        guard let f = figures else {
            return "public evaluator (diagnostic, not a fitness): no figure — "
                + (failure.map { "\($0.kind.rawValue): \(CandidateText.escaped($0.message))" } ?? "the run did not complete")
        }
        return "public evaluator (diagnostic, not a fitness; \(f.model) model, late runs scored like the others): "
            + "mean_cost \(fixed(f.meanCost, 4)) $ over \(f.runs) runs, \(f.lateRuns) late"
            + (f.lateRuns > 0 ? " (up to \(fixed(f.maxLatenessHours, 2)) h past a deadline)" : "")
            + ", latest finish \(fixed(f.latestFinishHours, 2)) h"
    }
}
