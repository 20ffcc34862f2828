import CandidateAPI
import Foundation
import Sim
import SimCore

/// One candidate's measurements in a calibration.
public struct CalibrationEntry: Sendable, Codable {
    public struct Level: Sendable, Codable {
        /// The level's primary metric.
        public var value: Double?
        public var valid: Bool
        public var failure: String?
        public var seconds: Double
    }
    public var name: String
    public var origin: String
    public var compileSeconds: Double
    public var levels: [String: Level]
    /// The fine level on the held-out set (a system level's inputs are a subset: the fine
    /// level is the one held-out figures are kept for).
    public var heldOut: Level?

    enum CodingKeys: String, CodingKey {
        case name, origin, levels, heldOut = "held_out", compileSeconds = "compile_seconds"
    }
}

/// How well a cheap level ranks candidates like the target level (`fine`, or a real system
/// above it) does, and what gating on it buys.
public struct CalibrationReport: Sendable, Codable {
    public struct Interval: Sendable, Codable { public var value: Double?; public var low: Double?; public var high: Double? }
    public struct LevelSummary: Sendable, Codable {
        public var level: String
        /// The level's primary metric, whose values are correlated with the fine level's
        /// (absent in reports written before levels named their metrics apart).
        public var metric: String?
        public var runtimeMedianSeconds: Double
        public var runtimeTotalSeconds: Double
        public var referenceValue: Double
        public var spearmanAll: Interval?
        public var spearmanBetterHalf: Interval?
        public var kendallAll: Interval?
        public var kendallBetterHalf: Interval?

        enum CodingKeys: String, CodingKey {
            case level, metric, runtimeMedianSeconds = "runtime_median_seconds", runtimeTotalSeconds = "runtime_total_seconds"
            case referenceValue = "reference_value", spearmanAll = "spearman_all", spearmanBetterHalf = "spearman_better_half"
            case kendallAll = "kendall_all", kendallBetterHalf = "kendall_better_half"
        }
    }
    public struct ThresholdPoint: Sendable, Codable {
        public var level: String
        public var factor: Double
        public var topDecileRecall: Double
        public var falseRejectRate: Double

        enum CodingKeys: String, CodingKey {
            case level, factor, topDecileRecall = "top_decile_recall", falseRejectRate = "false_reject_rate"
        }
    }
    public var problem: String
    /// The target level's primary metric (each level's value is its own primary metric), its
    /// direction, and the reference policy gates compare with.
    public var metric: String
    public var lowerIsBetter: Bool?
    public var referencePolicy: String
    public var candidates: Int
    public var searchSet: String
    public var heldOutSet: String
    public var levels: [LevelSummary]
    public var thresholds: [ThresholdPoint]
    public var recommendedGates: [LevelGate]
    /// The levels worth running: all of them when the gated cascade beats the target level alone
    /// on the pool and keeps ≥ 95 % of the top decile, else the target level alone.
    public var recommendedLevels: [String]?
    /// The level every other is measured against: the last one calibrated (`fine`, or a real
    /// system above it). Absent in reports written before there was a choice: `fine`.
    public var targetLevel: String?
    /// Top-decile recall of the recommended gates together.
    public var cascadeTopDecileRecall: Double
    /// Evaluation seconds (excluding compile) over the pool: the target level only (the key
    /// says fine: the target was the fine level until there were others), and through the
    /// cascade with the recommended gates.
    public var fineOnlySeconds: Double
    public var cascadeSeconds: Double
    public var candidatesPerCPUHourFactor: Double
    /// The pool's compile seconds (a cache hit counts its lookup), and the factor with them
    /// included on both sides: (compile + fine) / (compile + cascade). Absent in older reports.
    public var compileSeconds: Double?
    public var candidatesPerCPUHourFactorWithCompile: Double?
    /// Spearman of the fine level on the search set against the held-out set.
    public var heldOutSpearman: Double?
    /// Per level: 20 × the slowest valid candidate's run, at least 10 s (what `eval` reads as
    /// the stage budgets).
    public var recommendedBudgets: [StageBudget]?
    /// The recommended gates decided sequentially, run through `eval`'s cascade on the pool.
    public var sequential: SequentialCheck?
    public var entries: [CalibrationEntry]

    enum CodingKeys: String, CodingKey {
        case problem, metric, candidates, levels, thresholds, sequential, entries
        case lowerIsBetter = "lower_is_better", referencePolicy = "reference_policy", searchSet = "search_set"
        case heldOutSet = "held_out_set", recommendedGates = "recommended_gates", recommendedLevels = "recommended_levels"
        case targetLevel = "target_level"
        case cascadeTopDecileRecall = "cascade_top_decile_recall", fineOnlySeconds = "fine_only_seconds"
        case cascadeSeconds = "cascade_seconds", candidatesPerCPUHourFactor = "candidates_per_cpu_hour_factor"
        case heldOutSpearman = "held_out_spearman", recommendedBudgets = "recommended_budgets"
        case compileSeconds = "compile_seconds", candidatesPerCPUHourFactorWithCompile = "candidates_per_cpu_hour_factor_with_compile"
    }
}

extension CalibrationReport {
    /// The level the others were measured against.
    public var target: String { targetLevel ?? "fine" }
}

/// What deciding the recommended gates sequentially changes, measured by running the cascade.
public struct SequentialCheck: Sendable, Codable {
    public var settings: SequentialSettings
    /// Candidates whose cascade outcome (stopped or not) is the same as with full gates.
    public var agree: Int
    /// Stopped sequentially, but passed by the full gates (and the reverse).
    public var stoppedOnlySequentially: [String]
    public var passedOnlySequentially: [String]
    public var topDecileRecall: Double
    /// Wall seconds of the whole cascade over the pool, compile excluded.
    public var cascadeSeconds: Double
    public var candidatesPerCPUHourFactor: Double

    enum CodingKeys: String, CodingKey {
        case settings, agree, stoppedOnlySequentially = "stopped_only_sequentially"
        case passedOnlySequentially = "passed_only_sequentially", topDecileRecall = "top_decile_recall"
        case cascadeSeconds = "cascade_seconds", candidatesPerCPUHourFactor = "candidates_per_cpu_hour_factor"
    }
}

/// Runs every level (and the fine level on the held-out set) on a pool of candidates.
public struct Calibration: Sendable {
    public var evaluator: CandidateEvaluator
    public var problem: CandidateProblem
    /// The problem's levels on the search inputs, cheapest first, up to the target (the last:
    /// `fine`, or a real system above it); every level's primary metric goes the same way.
    public var levels: [any FidelityLevel]
    /// The fine level on the held-out inputs.
    public var heldOutFine: any FidelityLevel
    /// Every level of the problem on the search inputs, and the on-demand ones among them (how
    /// a remote request names `levels`: `--all-levels`, with `--models-only`, or one by one).
    var everyLevel: [String]
    var onDemandLevels: [String]
    public var searchName: String
    public var heldOutName: String
    public var referencePolicy: String

    /// The problem's levels on the search inputs up to `target` (default: the last, on-demand
    /// levels included), and its fine level on the held-out inputs.
    /// - Throws: what building the levels throws (`SimError` for inputs they cannot use);
    ///   `CascadeError.invalidBudget` for a target that is not a level whose score is a candidate's.
    public init(evaluator: CandidateEvaluator, search: CandidateInputs, heldOut: CandidateInputs, target: String? = nil) throws {
        self.evaluator = evaluator
        problem = search.problem
        let all = try problem.levels(search)
        let names = all.filter { CandidateEvaluator.scoresCandidate($0) }.map(\.name)
        let target = target ?? all.last!.name
        guard let end = all.firstIndex(where: { $0.name == target }), names.contains(target) else {
            throw CascadeError.invalidBudget(name: "--target", value: target, reason: "expected one of \(names.joined(separator: ", "))")
        }
        levels = Array(all[...end])
        everyLevel = all.map(\.name)
        onDemandLevels = all.filter(\.onDemand).map(\.name)
        heldOutFine = try problem.levels(heldOut).last { !$0.onDemand }!
        searchName = search.label
        heldOutName = heldOut.label
        referencePolicy = problem.definition.erasedReferencePolicy(search)
    }

    var metric: String { levels.last!.primaryMetric }

    /// The direction of the levels' primary metrics (all alike, checked in `run`).
    var lowerIsBetter: Bool { direction(levels.last!) }

    func direction(_ level: any FidelityLevel) -> Bool {
        level.metrics.first { $0.name == level.primaryMetric }?.lowerIsBetter ?? true
    }

    /// - Parameters:
    ///   - workers: candidates evaluated at once (each on a thread: locally in this process,
    ///     or through `remote`, each a request in flight).
    ///   - remote: where the evaluations run when not here (`RemoteCalibration`); the report
    ///     is the same but for seconds.
    ///   - progress: called before each candidate with its index and name (from the worker's
    ///     thread).
    public func run(pool: [PoolCandidate], workers: Int = 1, remote: RemoteCalibration? = nil,
                    progress: @escaping @Sendable (Int, String) -> Void = { _, _ in }) throws -> CalibrationReport {
        precondition(levels.allSatisfy { direction($0) == lowerIsBetter }, "every level's primary metric goes the same way")
        let entries = try windowedMap(pool.count, width: workers) { [self] i in
            progress(i, pool[i].name)
            return try remote.map { try $0.entry(for: pool[i], in: self) } ?? localEntry(for: pool[i])
        }
        let references = Dictionary(uniqueKeysWithValues: levels.map { ($0.name, $0.referenceMetrics()[$0.primaryMetric] ?? 0) })
        let analysis = CalibrationAnalysis(
            entries: entries, references: references, levelNames: levels.map(\.name),
            metrics: Dictionary(uniqueKeysWithValues: levels.map { ($0.name, $0.primaryMetric) }), lowerIsBetter: lowerIsBetter)
        var report = analysis.report(problem: problem.rawValue, metric: metric, referencePolicy: referencePolicy,
                                     search: searchName, heldOut: heldOutName)
        // Only levels that can decide a gate sequentially are checked that way.
        if report.recommendedGates.allSatisfy({ gate in levels.first { $0.name == gate.level }?.sequentialMetrics.contains(gate.metric) == true }) {
            report.sequential = try checkSequential(pool: pool, analysis: analysis, report: report, workers: workers, remote: remote)
        }
        return report
    }

    /// Every level on the search inputs and the fine level on the held-out ones, in this process.
    func localEntry(for candidate: PoolCandidate) throws -> CalibrationEntry {
        let start = monotonicSeconds()
        let compiled = try evaluator.compiler.compile(source: candidate.source, problem: problem)
        var entry = CalibrationEntry(name: candidate.name, origin: candidate.origin.rawValue, compileSeconds: monotonicSeconds() - start,
                                     levels: [:], heldOut: nil)
        guard case .success(let executable) = compiled else { return entry }
        for level in levels {
            entry.levels[level.name] = measure(try level.run(executable, sandbox: evaluator.sandbox, budget: nil, test: nil),
                                               metric: level.primaryMetric)
        }
        entry.heldOut = measure(try heldOutFine.run(executable, sandbox: evaluator.sandbox, budget: nil, test: nil),
                                 metric: heldOutFine.primaryMetric)
        return entry
    }

    /// How one candidate fared through the cascade with sequential gates: `nil` when it did
    /// not compile.
    struct SequentialOutcome: Sendable {
        var seconds: Double
        var passed: Bool
    }

    /// Runs the cascade with the recommended gates made sequential on every compiled candidate
    /// (the compile cache makes the second compile free) and compares with the full gates.
    func checkSequential(pool: [PoolCandidate], analysis: CalibrationAnalysis, report: CalibrationReport, workers: Int = 1,
                         remote: RemoteCalibration? = nil) throws -> SequentialCheck {
        let settings = SequentialSettings()
        let gates = report.recommendedGates.map { LevelGate(level: $0.level, metric: $0.metric, factor: $0.factor, sequential: settings) }
        let runner = try CascadeRunner(levels: levels, gates: gates).validated()
        let outcomes = try windowedMap(pool.count, width: workers) { [self] i -> SequentialOutcome? in
            let candidate = pool[i]
            // Not in the report (never), or stopped either way, before any stage.
            guard let entry = report.entries.first(where: { $0.name == candidate.name }), !entry.levels.isEmpty else { return nil }
            if let remote { return try remote.sequentialOutcome(of: candidate, gates: gates, in: self) }
            guard case .success(let executable) = try evaluator.compiler.compile(source: candidate.source, problem: problem) else { return nil }
            let run = try runner.run(executable, sandbox: evaluator.sandbox)
            return SequentialOutcome(seconds: run.stages.reduce(0) { $0 + $1.seconds }, passed: run.rejectedAt == nil)
        }
        var agree = 0, seconds = 0.0
        var stoppedOnly: [String] = [], passedOnly: [String] = [], passing = Set<String>()
        for (candidate, outcome) in zip(pool, outcomes) {
            guard let outcome, let entry = report.entries.first(where: { $0.name == candidate.name }) else {
                agree += 1
                continue
            }
            seconds += outcome.seconds
            let fullPass = report.recommendedGates.allSatisfy { analysis.passes(entry, $0.level, $0.factor) }
                && entry.levels[analysis.target]?.valid == true
            if outcome.passed { passing.insert(candidate.name) }
            if fullPass == outcome.passed { agree += 1 } else if fullPass { stoppedOnly.append(candidate.name) } else {
                passedOnly.append(candidate.name)
            }
        }
        let top = analysis.topDecile
        return SequentialCheck(
            settings: settings, agree: agree, stoppedOnlySequentially: stoppedOnly, passedOnlySequentially: passedOnly,
            topDecileRecall: top.isEmpty ? 1 : Double(top.intersection(passing).count) / Double(top.count),
            cascadeSeconds: seconds, candidatesPerCPUHourFactor: seconds > 0 ? report.fineOnlySeconds / seconds : 0)
    }

    func measure(_ result: LevelResult, metric: String) -> CalibrationEntry.Level {
        CalibrationEntry.Level(value: result.metrics[metric], valid: result.failure == nil,
                               failure: result.failure?.kind.rawValue, seconds: result.seconds)
    }
}
