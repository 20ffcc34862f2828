import Foundation
import Sim

/// One candidate's measurements in a calibration.
public struct CalibrationEntry: Sendable, Codable {
    public struct Level: Sendable, Codable {
        public var mean_cost: Double?
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
        public var reference_mean_cost: Double
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
    public var candidates: Int
    public var search_set: String
    public var held_out_set: String
    public var levels: [LevelSummary]
    public var thresholds: [ThresholdPoint]
    public var recommended_gates: [LevelGate]
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
    public var search: SpotScenarioSet
    public var heldOut: SpotScenarioSet

    public init(evaluator: CandidateEvaluator, search: SpotScenarioSet, heldOut: SpotScenarioSet) {
        self.evaluator = evaluator
        self.search = search
        self.heldOut = heldOut
    }

    /// - Parameter progress: called before each candidate with its index and name.
    public func run(pool: [PoolCandidate], progress: (Int, String) -> Void = { _, _ in }) throws -> CalibrationReport {
        let levels = try SpotLevels.make(search: search)
        let heldOutFine = SpotFidelityLevel(name: "fine", set: heldOut, failOnDeadlineMiss: true)
        var entries: [CalibrationEntry] = []
        for (i, candidate) in pool.enumerated() {
            progress(i, candidate.name)
            let start = monotonicSeconds()
            let compiled = try evaluator.compiler.compile(source: candidate.source, problem: .spot)
            let compileSeconds = monotonicSeconds() - start
            var entry = CalibrationEntry(name: candidate.name, origin: candidate.origin.rawValue, compile_seconds: compileSeconds,
                                         levels: [:], held_out: nil)
            guard case .success(let executable) = compiled else {
                entries.append(entry)
                continue
            }
            for level in levels {
                entry.levels[level.name] = Self.measure(try level.run(executable, sandbox: evaluator.sandbox, budget: nil, test: nil))
            }
            entry.held_out = Self.measure(try heldOutFine.run(executable, sandbox: evaluator.sandbox, budget: nil, test: nil))
            entries.append(entry)
        }
        let references = Dictionary(uniqueKeysWithValues: levels.map { ($0.name, $0.referenceMetrics()["mean_cost"] ?? 0) })
        let analysis = CalibrationAnalysis(entries: entries, references: references, levelNames: levels.map(\.name))
        var report = analysis.report(search: search.name, heldOut: heldOut.name)
        report.sequential = try checkSequential(pool: pool, levels: levels, analysis: analysis, report: report)
        return report
    }

    /// Runs the cascade with the recommended gates made sequential on every compiled candidate
    /// (the compile cache makes the second compile free) and compares with the full gates.
    func checkSequential(pool: [PoolCandidate], levels: [SpotFidelityLevel], analysis: CalibrationAnalysis,
                         report: CalibrationReport) throws -> SequentialCheck {
        let settings = SequentialSettings()
        let gates = report.recommended_gates.map { LevelGate(level: $0.level, metric: $0.metric, factor: $0.factor, sequential: settings) }
        let runner = try CascadeRunner(levels: levels, gates: gates).validated()
        var agree = 0, seconds = 0.0
        var stoppedOnly: [String] = [], passedOnly: [String] = [], passing = Set<String>()
        for candidate in pool {
            guard let entry = report.entries.first(where: { $0.name == candidate.name }) else { continue }
            guard case .success(let executable) = try evaluator.compiler.compile(source: candidate.source, problem: .spot) else {
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

    static func measure(_ result: LevelResult) -> CalibrationEntry.Level {
        CalibrationEntry.Level(mean_cost: result.metrics["mean_cost"], valid: result.failure == nil,
                               failure: result.failure?.kind.rawValue, seconds: result.seconds)
    }
}

/// The statistics of a calibration, from its entries.
struct CalibrationAnalysis {
    var entries: [CalibrationEntry]
    var references: [String: Double]
    var levelNames: [String]
    /// Gate factors tried. None is below 1: a gate never stops the template (the reference) itself.
    static let factors = stride(from: 1.0, through: 1.5, by: 0.025).map { ($0 * 1000).rounded() / 1000 }

    var fineValid: [CalibrationEntry] {
        entries.filter { $0.levels["fine"]?.valid == true && $0.levels["fine"]?.mean_cost != nil }
    }
    var byFine: [CalibrationEntry] { fineValid.sorted { $0.levels["fine"]!.mean_cost! < $1.levels["fine"]!.mean_cost! } }
    /// The fine level's best 10 % (at least one).
    var topDecile: Set<String> {
        let byFine = byFine
        return Set(byFine.prefix(max(1, Int((Double(byFine.count) * 0.1).rounded()))).map(\.name))
    }

    func report(search: String, heldOut: String) -> CalibrationReport {
        let fineValid = fineValid
        let byFine = byFine
        let betterHalf = Array(byFine.prefix(max(3, byFine.count / 2)))
        let topDecile = topDecile
        let good = Set(fineValid.filter { $0.levels["fine"]!.mean_cost! <= (references["fine"] ?? 0) }.map(\.name))

        let summaries = levelNames.map { name -> CalibrationReport.LevelSummary in
            let times = entries.compactMap { $0.levels[name]?.seconds }.sorted()
            func interval(_ group: [CalibrationEntry], _ statistic: @escaping ([Double], [Double]) -> Double?) -> CalibrationReport.Interval? {
                let pairs = group.compactMap { e -> (Double, Double)? in
                    guard let x = e.levels[name]?.mean_cost, let y = e.levels["fine"]?.mean_cost else { return nil }
                    return (x, y)
                }
                let x = pairs.map(\.0), y = pairs.map(\.1)
                let ci = RankStatistics.bootstrap(x, y, statistic)
                return CalibrationReport.Interval(value: statistic(x, y), low: ci?.low, high: ci?.high)
            }
            return CalibrationReport.LevelSummary(
                level: name, runtime_median_seconds: times.isEmpty ? 0 : times[times.count / 2],
                runtime_total_seconds: times.reduce(0, +), reference_mean_cost: references[name] ?? 0,
                spearman_all: interval(fineValid, RankStatistics.spearman), spearman_better_half: interval(betterHalf, RankStatistics.spearman),
                kendall_all: interval(fineValid, RankStatistics.kendall), kendall_better_half: interval(betterHalf, RankStatistics.kendall))
        }

        let cheap = levelNames.filter { $0 != "fine" }
        var thresholds: [CalibrationReport.ThresholdPoint] = []
        var gates: [LevelGate] = []
        for level in cheap {
            var chosen: Double?
            for factor in Self.factors {
                let passing = Set(entries.filter { passes($0, level, factor) }.map(\.name))
                let recall = topDecile.isEmpty ? 1 : Double(topDecile.intersection(passing).count) / Double(topDecile.count)
                let falseRejects = good.isEmpty ? 0 : Double(good.subtracting(passing).count) / Double(good.count)
                thresholds.append(.init(level: level, factor: factor, top_decile_recall: recall, false_reject_rate: falseRejects))
                // Each cheap level keeps ≥ 97.5 % of the top decile, so together they keep ≥ 95 %.
                if chosen == nil && recall >= 0.975 { chosen = factor }
            }
            gates.append(LevelGate(level: level, metric: "mean_cost", factor: chosen ?? Self.factors.last!))
        }
        let jointPassing = Set(entries.filter { e in gates.allSatisfy { passes(e, $0.level, $0.factor) } }.map(\.name))
        let jointRecall = topDecile.isEmpty ? 1 : Double(topDecile.intersection(jointPassing).count) / Double(topDecile.count)

        var fineOnly = 0.0, cascade = 0.0
        for e in entries {
            fineOnly += e.levels["fine"]?.seconds ?? 0
            for level in levelNames {
                cascade += e.levels[level]?.seconds ?? 0
                if level == "fine" { break }
                if let gate = gates.first(where: { $0.level == level }), !passes(e, level, gate.factor) { break }
            }
        }
        let heldOutPairs = entries.compactMap { e -> (Double, Double)? in
            guard e.levels["fine"]?.valid == true, e.held_out?.valid == true,
                  let a = e.levels["fine"]?.mean_cost, let b = e.held_out?.mean_cost else { return nil }
            return (a, b)
        }
        return CalibrationReport(
            problem: "spot", candidates: entries.count, search_set: search, held_out_set: heldOut, levels: summaries,
            thresholds: thresholds, recommended_gates: gates, cascade_top_decile_recall: jointRecall,
            fine_only_seconds: fineOnly, cascade_seconds: cascade,
            candidates_per_cpu_hour_factor: cascade > 0 ? fineOnly / cascade : 0,
            held_out_spearman: RankStatistics.spearman(heldOutPairs.map(\.0), heldOutPairs.map(\.1)),
            recommended_budgets: budgets(), sequential: nil, entries: entries)
    }

    /// 20 × the slowest valid run of each level, at least 10 s: room for a loaded machine and for
    /// a debug build's simulator (~50× slower), while a hung candidate no longer costs the global
    /// timeout at every stage.
    func budgets() -> [StageBudget] {
        levelNames.map { name in
            let slowest = entries.compactMap { e in e.levels[name].flatMap { $0.valid ? $0.seconds : nil } }.max() ?? 0
            let wall = max(10, (20 * slowest).rounded(.up))
            return StageBudget(level: name, wallSeconds: wall, cpuSeconds: Int(wall))
        }
    }

    /// Whether a candidate passes `level` at `factor` × the reference's mean cost.
    func passes(_ e: CalibrationEntry, _ level: String, _ factor: Double) -> Bool {
        guard let l = e.levels[level], l.valid, let cost = l.mean_cost, let reference = references[level] else { return false }
        return cost <= factor * reference
    }
}
