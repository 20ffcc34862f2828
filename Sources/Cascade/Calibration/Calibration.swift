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
    public var compile_seconds: Double
    public var levels: [String: Level]
    /// The fine level on the held-out set.
    public var held_out: Level?
}

/// How well a cheap level ranks candidates like the fine level does, and what gating on it buys.
public struct CalibrationReport: Sendable, Codable {
    public struct Interval: Sendable, Codable { public var value: Double?; public var low: Double?; public var high: Double? }
    public struct LevelSummary: Sendable, Codable {
        public var level: String
        public var runtime_median_seconds: Double
        public var runtime_total_seconds: Double
        public var reference_value: Double
        public var spearman_all: Interval?
        public var spearman_better_half: Interval?
        public var kendall_all: Interval?
        public var kendall_better_half: Interval?
    }
    public struct ThresholdPoint: Sendable, Codable {
        public var level: String
        public var factor: Double
        public var top_decile_recall: Double
        public var false_reject_rate: Double
    }
    public var problem: String
    /// The fine level's primary metric (each level's value is its own primary metric), its
    /// direction, and the reference policy gates compare with.
    public var metric: String
    public var lower_is_better: Bool?
    public var reference_policy: String
    public var candidates: Int
    public var search_set: String
    public var held_out_set: String
    public var levels: [LevelSummary]
    public var thresholds: [ThresholdPoint]
    public var recommended_gates: [LevelGate]
    /// The levels worth running: all of them when the gated cascade beats the fine level alone
    /// on the pool and keeps ≥ 95 % of the top decile, else the fine level alone.
    public var recommended_levels: [String]?
    /// Top-decile recall of the recommended gates together.
    public var cascade_top_decile_recall: Double
    /// Evaluation seconds (excluding compile) over the pool: fine level only, and through the
    /// cascade with the recommended gates.
    public var fine_only_seconds: Double
    public var cascade_seconds: Double
    public var candidates_per_cpu_hour_factor: Double
    /// Spearman of the fine level on the search set against the held-out set.
    public var held_out_spearman: Double?
    /// Per level: 20 × the slowest valid candidate's run, at least 10 s (what `eval` reads as
    /// the stage budgets).
    public var recommended_budgets: [StageBudget]?
    /// The recommended gates decided sequentially, run through `eval`'s cascade on the pool.
    public var sequential: SequentialCheck?
    public var entries: [CalibrationEntry]
}

/// What deciding the recommended gates sequentially changes, measured by running the cascade.
public struct SequentialCheck: Sendable, Codable {
    public var settings: SequentialSettings
    /// Candidates whose cascade outcome (stopped or not) is the same as with full gates.
    public var agree: Int
    /// Stopped sequentially, but passed by the full gates (and the reverse).
    public var stopped_only_sequentially: [String]
    public var passed_only_sequentially: [String]
    public var top_decile_recall: Double
    /// Wall seconds of the whole cascade over the pool, compile excluded.
    public var cascade_seconds: Double
    public var candidates_per_cpu_hour_factor: Double
}

/// Runs every level (and the fine level on the held-out set) on a pool of candidates.
public struct Calibration: Sendable {
    public var evaluator: CandidateEvaluator
    public var problem: CandidateProblem
    /// The problem's levels on the search inputs, cheapest first, the last one `fine`; every
    /// level's primary metric goes the same way.
    public var levels: [any FidelityLevel]
    /// The fine level on the held-out inputs.
    public var heldOutFine: any FidelityLevel
    public var searchName: String
    public var heldOutName: String
    public var referencePolicy: String

    /// The problem's levels on the search inputs, and its fine level on the held-out inputs.
    /// - Throws: what building the levels throws (`SimError` for inputs they cannot use).
    public init(evaluator: CandidateEvaluator, search: CandidateInputs, heldOut: CandidateInputs) throws {
        self.evaluator = evaluator
        problem = search.problem
        levels = try problem.levels(search)
        heldOutFine = try problem.levels(heldOut).last!
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

    /// - Parameter progress: called before each candidate with its index and name.
    public func run(pool: [PoolCandidate], progress: (Int, String) -> Void = { _, _ in }) throws -> CalibrationReport {
        precondition(levels.allSatisfy { direction($0) == lowerIsBetter }, "every level's primary metric goes the same way")
        var entries: [CalibrationEntry] = []
        for (i, candidate) in pool.enumerated() {
            progress(i, candidate.name)
            let start = monotonicSeconds()
            let compiled = try evaluator.compiler.compile(source: candidate.source, problem: problem)
            let compileSeconds = monotonicSeconds() - start
            var entry = CalibrationEntry(name: candidate.name, origin: candidate.origin.rawValue, compile_seconds: compileSeconds,
                                         levels: [:], held_out: nil)
            guard case .success(let executable) = compiled else {
                entries.append(entry)
                continue
            }
            for level in levels {
                entry.levels[level.name] = measure(try level.run(executable, sandbox: evaluator.sandbox, budget: nil, test: nil),
                                                   metric: level.primaryMetric)
            }
            entry.held_out = measure(try heldOutFine.run(executable, sandbox: evaluator.sandbox, budget: nil, test: nil),
                                     metric: heldOutFine.primaryMetric)
            entries.append(entry)
        }
        let references = Dictionary(uniqueKeysWithValues: levels.map { ($0.name, $0.referenceMetrics()[$0.primaryMetric] ?? 0) })
        let analysis = CalibrationAnalysis(
            entries: entries, references: references, levelNames: levels.map(\.name),
            metrics: Dictionary(uniqueKeysWithValues: levels.map { ($0.name, $0.primaryMetric) }), lowerIsBetter: lowerIsBetter)
        var report = analysis.report(problem: problem.rawValue, metric: metric, referencePolicy: referencePolicy,
                                     search: searchName, heldOut: heldOutName)
        // Only levels that can decide a gate sequentially are checked that way.
        if report.recommended_gates.allSatisfy({ gate in levels.first { $0.name == gate.level }?.sequentialMetrics.contains(gate.metric) == true }) {
            report.sequential = try checkSequential(pool: pool, analysis: analysis, report: report)
        }
        return report
    }

    /// Runs the cascade with the recommended gates made sequential on every compiled candidate
    /// (the compile cache makes the second compile free) and compares with the full gates.
    func checkSequential(pool: [PoolCandidate], analysis: CalibrationAnalysis, report: CalibrationReport) throws -> SequentialCheck {
        let settings = SequentialSettings()
        let gates = report.recommended_gates.map { LevelGate(level: $0.level, metric: $0.metric, factor: $0.factor, sequential: settings) }
        let runner = try CascadeRunner(levels: levels, gates: gates).validated()
        var agree = 0, seconds = 0.0
        var stoppedOnly: [String] = [], passedOnly: [String] = [], passing = Set<String>()
        for candidate in pool {
            guard let entry = report.entries.first(where: { $0.name == candidate.name }) else { continue }
            guard case .success(let executable) = try evaluator.compiler.compile(source: candidate.source, problem: problem) else {
                agree += 1  // stopped either way, before any stage
                continue
            }
            let run = try runner.run(executable, sandbox: evaluator.sandbox)
            seconds += run.stages.reduce(0) { $0 + $1.seconds }
            let fullPass = report.recommended_gates.allSatisfy { analysis.passes(entry, $0.level, $0.factor) }
                && entry.levels["fine"]?.valid == true
            let sequentialPass = run.rejectedAt == nil
            if sequentialPass { passing.insert(candidate.name) }
            if fullPass == sequentialPass { agree += 1 } else if fullPass { stoppedOnly.append(candidate.name) } else {
                passedOnly.append(candidate.name)
            }
        }
        let top = analysis.topDecile
        return SequentialCheck(
            settings: settings, agree: agree, stopped_only_sequentially: stoppedOnly, passed_only_sequentially: passedOnly,
            top_decile_recall: top.isEmpty ? 1 : Double(top.intersection(passing).count) / Double(top.count),
            cascade_seconds: seconds, candidates_per_cpu_hour_factor: seconds > 0 ? report.fine_only_seconds / seconds : 0)
    }

    func measure(_ result: LevelResult, metric: String) -> CalibrationEntry.Level {
        CalibrationEntry.Level(value: result.metrics[metric], valid: result.failure == nil,
                               failure: result.failure?.kind.rawValue, seconds: result.seconds)
    }
}
