import Foundation

/// The statistics of a calibration, from its entries.
struct CalibrationAnalysis {
    var entries: [CalibrationEntry]
    var references: [String: Double]
    var levelNames: [String]
    /// Each level's primary metric, what its gate reads.
    var metrics: [String: String] = [:]
    /// The direction of every level's primary metric.
    var lowerIsBetter = true

    /// The level the others are measured against: the last one (`fine`, or a real system).
    var target: String { levelNames.last ?? "fine" }

    /// Gate factors tried, strictest first. None is on the wrong side of 1: a gate never stops
    /// the template (the reference) itself.
    var factors: [Double] {
        let steps = stride(from: 0.0, through: 0.5, by: 0.025).map { ($0 * 1000).rounded() / 1000 }
        return steps.map { lowerIsBetter ? 1 + $0 : 1 - $0 }
    }

    /// Whether `a` is a better value than `b`.
    func better(_ a: Double, _ b: Double) -> Bool { lowerIsBetter ? a < b : a > b }

    var fineValid: [CalibrationEntry] {
        entries.filter { $0.levels[target]?.valid == true && $0.levels[target]?.value != nil }
    }
    var byFine: [CalibrationEntry] { fineValid.sorted { better($0.levels[target]!.value!, $1.levels[target]!.value!) } }
    /// The target level's best 10 % (at least one).
    var topDecile: Set<String> {
        let byFine = byFine
        return Set(byFine.prefix(max(1, Int((Double(byFine.count) * 0.1).rounded()))).map(\.name))
    }

    func report(problem: String, metric: String, referencePolicy: String, search: String, heldOut: String) -> CalibrationReport {
        let fineValid = fineValid
        let byFine = byFine
        let betterHalf = Array(byFine.prefix(max(3, byFine.count / 2)))
        let topDecile = topDecile
        let good = Set(fineValid.filter { !better(references[target] ?? 0, $0.levels[target]!.value!) }.map(\.name))

        let summaries = levelNames.map { name -> CalibrationReport.LevelSummary in
            let times = entries.compactMap { $0.levels[name]?.seconds }.sorted()
            func interval(_ group: [CalibrationEntry], _ statistic: @escaping ([Double], [Double]) -> Double?) -> CalibrationReport.Interval? {
                let pairs = group.compactMap { e -> (Double, Double)? in
                    guard let x = e.levels[name]?.value, let y = e.levels[target]?.value else { return nil }
                    return (x, y)
                }
                let x = pairs.map(\.0), y = pairs.map(\.1)
                let ci = RankStatistics.bootstrap(x, y, statistic)
                return CalibrationReport.Interval(value: statistic(x, y), low: ci?.low, high: ci?.high)
            }
            return CalibrationReport.LevelSummary(
                level: name, metric: metrics[name] ?? metric, runtimeMedianSeconds: times.isEmpty ? 0 : times[times.count / 2],
                runtimeTotalSeconds: times.reduce(0, +), referenceValue: references[name] ?? 0,
                spearmanAll: interval(fineValid, RankStatistics.spearman), spearmanBetterHalf: interval(betterHalf, RankStatistics.spearman),
                kendallAll: interval(fineValid, RankStatistics.kendall), kendallBetterHalf: interval(betterHalf, RankStatistics.kendall))
        }

        let cheap = levelNames.filter { $0 != target }
        var thresholds: [CalibrationReport.ThresholdPoint] = []
        var gates: [LevelGate] = []
        for level in cheap {
            var chosen: Double?
            for factor in factors {
                let passing = Set(entries.filter { passes($0, level, factor) }.map(\.name))
                let recall = topDecile.isEmpty ? 1 : Double(topDecile.intersection(passing).count) / Double(topDecile.count)
                let falseRejects = good.isEmpty ? 0 : Double(good.subtracting(passing).count) / Double(good.count)
                thresholds.append(.init(level: level, factor: factor, topDecileRecall: recall, falseRejectRate: falseRejects))
                // Each cheap level keeps ≥ 97.5 % of the top decile, so together they keep ≥ 95 %.
                if chosen == nil && recall >= 0.975 { chosen = factor }
            }
            gates.append(LevelGate(level: level, metric: metrics[level] ?? metric, factor: chosen ?? factors.last!))
        }
        let jointPassing = Set(entries.filter { e in gates.allSatisfy { passes(e, $0.level, $0.factor) } }.map(\.name))
        let jointRecall = topDecile.isEmpty ? 1 : Double(topDecile.intersection(jointPassing).count) / Double(topDecile.count)

        var fineOnly = 0.0, cascade = 0.0
        for e in entries {
            fineOnly += e.levels[target]?.seconds ?? 0
            for level in levelNames {
                cascade += e.levels[level]?.seconds ?? 0
                if level == target { break }
                if let gate = gates.first(where: { $0.level == level }), !passes(e, level, gate.factor) { break }
            }
        }
        let compile = entries.reduce(0) { $0 + $1.compileSeconds }
        let heldOutPairs = entries.compactMap { e -> (Double, Double)? in
            guard e.levels["fine"]?.valid == true, e.heldOut?.valid == true,
                  let a = e.levels["fine"]?.value, let b = e.heldOut?.value else { return nil }
            return (a, b)
        }
        return CalibrationReport(
            problem: problem, metric: metric, lowerIsBetter: lowerIsBetter, referencePolicy: referencePolicy, candidates: entries.count, searchSet: search, heldOutSet: heldOut, levels: summaries,
            thresholds: thresholds, recommendedGates: gates,
            recommendedLevels: cascade < fineOnly && jointRecall >= 0.95 ? levelNames : [target], targetLevel: target, cascadeTopDecileRecall: jointRecall,
            fineOnlySeconds: fineOnly, cascadeSeconds: cascade,
            candidatesPerCPUHourFactor: cascade > 0 ? fineOnly / cascade : 0,
            compileSeconds: compile, candidatesPerCPUHourFactorWithCompile: compile + cascade > 0 ? (compile + fineOnly) / (compile + cascade) : 0,
            heldOutSpearman: RankStatistics.spearman(heldOutPairs.map(\.0), heldOutPairs.map(\.1)),
            recommendedBudgets: budgets(), sequential: nil, entries: entries)
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

    /// Whether a candidate passes `level` at `factor` × the reference's value (as `CascadeRunner`
    /// decides a gate).
    func passes(_ e: CalibrationEntry, _ level: String, _ factor: Double) -> Bool {
        guard let l = e.levels[level], l.valid, let value = l.value, let reference = references[level] else { return false }
        return lowerIsBetter ? value <= factor * reference : value >= factor * reference
    }
}
