/// A metric a level produces, and which way is better.
public struct LevelMetric: Sendable, Equatable, Codable {
    public var name: String
    public var lowerIsBetter: Bool

    enum CodingKeys: String, CodingKey { case name, lowerIsBetter = "lower_is_better" }

    public init(name: String, lowerIsBetter: Bool) {
        self.name = name
        self.lowerIsBetter = lowerIsBetter
    }
}

/// What one level measured for one candidate.
public struct LevelResult: Sendable {
    public var level: String
    /// The level's metrics (empty when the candidate failed inside the level).
    public var metrics: [String: Double]
    public var failure: CandidateFailure?
    /// Wall seconds of the level, child start to reap, measured by the parent (no compile).
    public var seconds: Double
    /// The full score, for the level whose score is the candidate's (the fine level).
    public var score: CandidateScore?
    /// Notes worth feeding back to an LLM (e.g. the worst scenarios and what the policy did).
    public var artifacts: [String]
    /// The candidate's stdout and stderr during the level (capped; never parsed).
    public var log: String = ""
    /// How a sequential gate decided, when the level ran under one.
    public var sequential: SequentialTest.Verdict?
    /// Items (spot: scenarios) run, and the level's total: fewer when a sequential gate or a
    /// failure stopped the level early; `metrics` are then over the items run.
    public var items: (run: Int, total: Int)?
    /// The reference's metrics over the items run, when not all were (what a gate decided on a
    /// part of the inputs is compared with).
    public var referenceOnItemsRun: [String: Double]?
}

/// One fidelity level of a problem: a value, not a code path. The cascade, calibration and
/// bench treat every problem's levels alike.
public protocol FidelityLevel: Sendable {
    /// `cost_model`, `coarse`, `fine`, or (on demand) `system`.
    var name: String { get }
    var metrics: [LevelMetric] { get }
    /// The metric gates use by default.
    var primaryMetric: String { get }
    /// Runs a compiled candidate through this level in a fresh sandbox within `budget`; under a
    /// sequential `test`, in batches, stopping once the test decides.
    func run(_ candidate: CompiledCandidate, sandbox: Sandbox, budget: StageBudget?, test: SequentialTest?) throws
        -> LevelResult
    /// The metrics a sequential gate may decide: means over the level's items, whose per-unit
    /// sums `run` hands to the test (a sequential gate on any other metric is refused).
    var sequentialMetrics: [String] { get }
    /// The same metrics for the problem's reference policy (its template's baseline), computed
    /// in process by the trusted simulator: what relative gates compare against.
    func referenceMetrics() -> [String: Double]
    /// A level that runs only when asked for by name (`--level`, `--all-levels`, a gates file's
    /// `cascade_levels`): a real system above the fine level, costly and possibly absent here.
    /// The problem's other levels are its default cascade.
    var onDemand: Bool { get }
}

/// A gate: a level's metric must not be worse than `factor` × the reference's value.
public struct LevelGate: Sendable, Equatable, Codable {
    public var level: String
    public var metric: String
    /// For a lower-is-better metric: reject when value > factor × reference; for a
    /// higher-is-better one: reject when value < factor × reference.
    public var factor: Double
    /// Decide from batches of the level's inputs instead of all of them.
    public var sequential: SequentialSettings?

    public init(level: String, metric: String, factor: Double, sequential: SequentialSettings? = nil) {
        self.level = level
        self.metric = metric
        self.factor = factor
        self.sequential = sequential
    }
}

extension FidelityLevel {
    public var sequentialMetrics: [String] { [] }
    public var onDemand: Bool { false }
}
