/// The problems sim-cascade knows, in the order help, `traces generate` and tests list them. A
/// new problem is a folder under `Problems/` (its `Problem` value, levels, runner, template and
/// calibration pool) and one line here.
public enum ProblemRegistry {
    public static let problems: [CandidateProblem] = [
        .spot,
        .spotMulti,
        .eplb,
        .prefix,
        .txn,
    ]

    /// The problem commands take without `--problem`.
    public static let defaultProblem = CandidateProblem.spot
}
