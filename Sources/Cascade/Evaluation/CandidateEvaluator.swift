import CandidateAPI
import Foundation
import Sim
import SimCore

/// The result of evaluating one candidate: a score, or a failure — never both.
public struct EvaluationOutcome: Sendable {
    public var problem: CandidateProblem
    /// Present only when the candidate is valid.
    public var score: CandidateScore?
    public var failure: CandidateFailure?
    /// Seconds spent compiling (or looking up the cache), measured by the parent.
    public var compileSeconds: Double
    public var compileCached: Bool
    /// User + system seconds of the compiler's processes, when it ran and succeeded.
    public var compileCPUSeconds: Double?
    /// Wall seconds from starting the child to reaping it, measured by the parent.
    public var runSeconds: Double
    public var sandbox: SandboxMode
    /// The child's stdout and stderr (capped); shown to the user, never parsed.
    public var log: String
    /// The cascade's stages (one `fine` stage for problems without cheaper levels yet).
    public var stages: [StageReport] = []
    /// The stage that stopped the candidate, if one did.
    public var rejectedAt: String?
    /// The compile cache's key of the source (problem, source, API, flags): the same id is the
    /// same executable.
    public var buildID: String = ""
    /// The last level's metric, and how the candidate compares with the reference policy on it.
    public var headline: Headline?

    public var valid: Bool { failure == nil }

    /// The score every framework bridge reports: the top level's primary metric, the reference
    /// policy's (the template's) value of it on the same inputs, and their ratio turned so that
    /// higher is better.
    public struct Headline: Sendable {
        public var metric: LevelMetric
        /// The level it is measured at: the last level run (`fine`, an on-demand level above it,
        /// or a level run alone).
        public var level: String
        /// The candidate's value; `nil` for a failed candidate.
        public var value: Double?
        /// The reference policy's value at the same level; `nil` for a failed candidate (not
        /// computed) or where the level has none.
        public var reference: Double?

        /// `value / reference` for a higher-is-better metric, `reference / value` for a lower-is-
        /// better one: 1 for the template, above 1 for a better candidate. `nil` without both
        /// values, or when either is not positive (a ratio of them ranks nothing).
        public var normalized: Double? {
            guard let value, let reference, value > 0, reference > 0 else { return nil }
            return metric.lowerIsBetter ? reference / value : value / reference
        }
    }
}

/// How `evaluate` runs the levels of a problem that has them.
public struct CascadeOptions: Sendable {
    public var gates: [LevelGate]
    /// Per-stage budgets (a stage without one gets the sandbox's limits).
    public var budgets: [StageBudget]
    /// Run every level (of `levels` when given) even after a stage stopped the candidate.
    public var allLevels: Bool
    /// Run this level alone (no gates).
    public var onlyLevel: String?
    /// The levels the cascade runs, in the problem's order (`nil`: all but the on-demand ones,
    /// or with `allLevels` every one); gates and budgets of the others are ignored.
    /// `onlyLevel` overrides it.
    public var levels: [String]?

    public init(gates: [LevelGate], budgets: [StageBudget] = [], allLevels: Bool = false, onlyLevel: String? = nil,
                levels: [String]? = nil) {
        self.gates = gates
        self.budgets = budgets
        self.allLevels = allLevels
        self.onlyLevel = onlyLevel
        self.levels = levels
    }
}

/// Compiles a candidate, runs it in the sandbox against the trusted simulator, and validates it.
public struct CandidateEvaluator: Sendable {
    public var compiler: CandidateCompiler
    public var sandbox: Sandbox

    public init(compiler: CandidateCompiler, sandbox: Sandbox) {
        self.compiler = compiler
        self.sandbox = sandbox
    }

    /// The machine's toolchain with the default compile cache, and the sandbox for `limits`.
    /// - Throws: `CascadeError.toolchainMissing` or `.sandboxUnavailable`.
    public static func standard(allowUnsafe: Bool, limits: SandboxLimits = SandboxLimits(),
                                compileTimeout: Double = 120) throws -> CandidateEvaluator {
        let sandbox = try Sandbox.make(allowUnsafe: allowUnsafe, limits: limits)
        let cacheRoot = CandidateCompiler.defaultCacheRoot
        return CandidateEvaluator(
            compiler: CandidateCompiler(toolchain: try CandidateToolchain.locate(cacheRoot: cacheRoot), cacheRoot: cacheRoot,
                                        timeoutSeconds: compileTimeout),
            sandbox: sandbox)
    }

    /// Reads a candidate file.
    /// - Throws: `CascadeError.candidateNotReadable`.
    public static func readSource(_ url: URL) throws -> String {
        guard let data = FileManager.default.contents(atPath: url.path), !isDirectory(url) else {
            throw CascadeError.candidateNotReadable(url.path)
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// A cascade set up for one set of inputs: its levels, with their reference's metrics
    /// computed in process. Evaluating many candidates on the same inputs (as `evolve` does)
    /// builds it once.
    public struct PreparedCascade: Sendable {
        public let problem: CandidateProblem
        let runner: CascadeRunner

        /// The levels it runs, cheapest first.
        public var levelNames: [String] { runner.levels.map(\.name) }

        /// The last level's primary metric and its direction: a run's fitness when that level
        /// is above the fine one (a real system), where the problem's fitness is not measured.
        public var topMetric: LevelMetric? {
            runner.levels.last.flatMap { level in level.metrics.first { $0.name == level.primaryMetric } }
        }

        /// The gates of the levels it runs, each with its metric's direction, in level order.
        public var gateDirections: [(gate: LevelGate, lowerIsBetter: Bool)] {
            runner.levels.flatMap { level in
                runner.gates.filter { $0.level == level.name }.compactMap { gate in
                    level.metrics.first { $0.name == gate.metric }.map { (gate, $0.lowerIsBetter) }
                }
            }
        }
    }

    /// - Throws: `CascadeError.invalidBudget` for options the levels cannot follow.
    public func prepare(_ inputs: CandidateInputs, cascade: CascadeOptions? = nil) throws -> PreparedCascade {
        PreparedCascade(problem: inputs.problem, runner: try cascadeRunner(inputs, cascade))
    }

    /// Evaluates `source` on `inputs`. For spot, any scenario finishing after its deadline makes
    /// the candidate invalid (`deadline_miss`): a cheap policy that is late is not a better one.
    public func evaluate(source: String, on inputs: CandidateInputs, cascade: CascadeOptions? = nil) throws -> EvaluationOutcome {
        // The cascade is set up (and its options checked) before anything is compiled.
        try evaluate(source: source, on: try prepare(inputs, cascade: cascade))
    }

    /// Evaluates `source` through a prepared cascade.
    /// - Parameter references: per level, the gate's reference value to use instead of the
    ///   level's reference policy's (evolve's parent-relative gates); levels not named keep theirs.
    public func evaluate(source: String, on prepared: PreparedCascade, references: [String: Double] = [:]) throws -> EvaluationOutcome {
        let problem = prepared.problem, runner = prepared.runner
        var outcome = EvaluationOutcome(problem: problem, score: nil, failure: nil, compileSeconds: 0,
                                        compileCached: false, runSeconds: 0, sandbox: sandbox.mode, log: "")
        outcome.buildID = compiler.buildID(source: source, problem: problem)
        // evolve's fitness at the fine level; elsewhere (a level run alone, a system level above
        // the fine one) the level's primary metric.
        let top = runner.levels.last
        let headlineMetric = top?.name == "fine" ? problem.fitness : prepared.topMetric
        outcome.headline = headlineMetric.flatMap { metric in top.map { .init(metric: metric, level: $0.name) } }
        let compiled: CompiledCandidate
        let compileStart = monotonicSeconds()
        let (result, cached) = try compiler.compileNotingTheCache(source: source, problem: problem)
        switch result {
        case .failure(let failure):
            outcome.failure = failure
            outcome.compileSeconds = monotonicSeconds() - compileStart
            outcome.compileCached = cached
            return outcome
        case .success(let c):
            compiled = c
        }
        outcome.compileSeconds = compiled.seconds
        outcome.compileCached = compiled.cached
        outcome.compileCPUSeconds = compiled.compilerCPUSeconds

        let start = monotonicSeconds()
        let (stages, rejectedAt, failure, score) = try runner.run(compiled, sandbox: sandbox, references: references)
        outcome.runSeconds = monotonicSeconds() - start
        outcome.stages = stages
        outcome.rejectedAt = rejectedAt
        outcome.failure = failure
        // The candidate's score is the fine level's (or a system level's above it): a cheap
        // level run alone reports only its stage metrics.
        outcome.score = failure == nil && runner.levels.last.map(Self.scoresCandidate) == true ? score : nil
        if failure == nil, let top, let metric = outcome.headline?.metric.name {
            outcome.headline?.value = stages.last?.metrics[metric]
            // The level's own reference policy: a stage's gate reference may be evolve's parent.
            outcome.headline?.reference = top.referenceMetrics()[metric]
        }
        outcome.log = stages.filter { !$0.log.isEmpty }.map { "[\($0.level)]\n\($0.log)" }.joined(separator: "\n")
        return outcome
    }

    /// What the problem's public evaluator would report for `source` on `inputs` (late runs
    /// scored like the others), after `outcome` — `nil` for problems without such a check, for
    /// a candidate that did not compile, and when it failed under the public model itself in a
    /// way that would recur there (crashed, timed out, answered badly). Under another model
    /// (spot-multi's corrected one) any such failure may not recur, so the check runs. A valid
    /// candidate's fine score is reused when it already is the public figure; otherwise the
    /// public level runs once more, sandboxed, within the sandbox's own limits.
    /// Never a fitness: nothing but `eval` calls this.
    public func publicEvaluatorReport(source: String, on inputs: CandidateInputs, after outcome: EvaluationOutcome) throws
        -> PublicEvaluatorReport? {
        guard let check = inputs.problem.publicEvaluatorCheck(inputs) else { return nil }
        if let failure = outcome.failure {
            if failure.kind == .compileError { return nil }
            if check.fineScoreIsPublic && ![.deadlineMiss, .rejected].contains(failure.kind) { return nil }
        }
        if check.fineScoreIsPublic, outcome.valid, let score = outcome.score {
            return PublicEvaluatorReport(figures: check.figures(score), failure: nil, seconds: 0)
        }
        guard case .success(let compiled) = try compiler.compile(source: source, problem: inputs.problem) else { return nil }
        let result = try check.level.run(compiled, sandbox: sandbox, budget: nil, test: nil)
        return PublicEvaluatorReport(figures: result.score.flatMap(check.figures), failure: result.failure, seconds: result.seconds)
    }

    /// The cascade for `inputs`, its gates checked against all levels (without cascade options:
    /// the fine level alone). The default cascade is the problem's levels but those run on demand
    /// (`FidelityLevel.onDemand`); `--all-levels`, `--level` and a gates file's levels may name
    /// those too.
    /// - Throws: `CascadeError.invalidBudget` for an unknown level, a gate the levels cannot
    ///   read, or `--level` with `--all-levels`.
    func cascadeRunner(_ inputs: CandidateInputs, _ cascade: CascadeOptions?) throws -> CascadeRunner {
        let all = try inputs.problem.levels(inputs)
        let cascade = cascade ?? CascadeOptions(gates: [], onlyLevel: "fine")
        let full = try CascadeRunner(levels: all, gates: cascade.gates, budgets: cascade.budgets,
                                     allLevels: cascade.allLevels).validated()
        func runner(_ names: [String], allLevels: Bool = false) -> CascadeRunner {
            CascadeRunner(levels: all.filter { names.contains($0.name) }, gates: cascade.gates.filter { names.contains($0.level) },
                          budgets: cascade.budgets.filter { names.contains($0.level) }, allLevels: allLevels)
        }
        guard let only = cascade.onlyLevel else {
            if cascade.allLevels && cascade.levels == nil { return full }
            guard let names = cascade.levels else { return runner(all.filter { !$0.onDemand }.map(\.name)) }
            for name in names where !all.contains(where: { $0.name == name }) {
                throw CascadeError.invalidBudget(name: "levels", value: name,
                                                 reason: "no such level (levels: \(all.map(\.name).joined(separator: ", ")))")
            }
            guard let last = all.last(where: { names.contains($0.name) }), Self.scoresCandidate(last) else {
                throw CascadeError.invalidBudget(name: "levels", value: names.joined(separator: ", "),
                                                 reason: "must end with the fine level (or a system level above it), whose score is the candidate's")
            }
            return runner(names, allLevels: cascade.allLevels)
        }
        guard !cascade.allLevels else {
            throw CascadeError.invalidBudget(name: "--level", value: only, reason: "cannot be combined with --all-levels")
        }
        guard let level = all.first(where: { $0.name == only }) else {
            throw CascadeError.invalidBudget(name: "--level", value: only,
                                             reason: "no such level (levels: \(all.map(\.name).joined(separator: ", ")))")
        }
        return CascadeRunner(levels: [level], gates: [], budgets: cascade.budgets.filter { $0.level == only })
    }

    /// Whether a cascade ending at `level` gives the candidate a score: the fine level's, or a
    /// real system's above it.
    static func scoresCandidate(_ level: any FidelityLevel) -> Bool { level.name == "fine" || level.onDemand }

    static func isDirectory(_ url: URL) -> Bool {
        var isDir: ObjCBool = false
        return FileManager.default.fileExists(atPath: url.path, isDirectory: &isDir) && isDir.boolValue
    }
}
