import Cascade
import Foundation
import SimCore

/// The cascade measured on a run's own children (every program after the initial one): what
/// it cost against evaluating each child by the fine level alone, and how many of the
/// children the fine level ranks in its top decile the gates let through (recall).
///
/// A child stopped before the fine level has a fine-only figure only if it was sampled
/// (`CounterfactualSampling`); with a share below 1 the stopped children are represented by the
/// sampled ones, each counting 1 / share, and the fine seconds of the others are the sampled
/// ones' mean: the figures are then estimates (`estimated`).
public struct CascadeOnChildren: Encodable, Sendable, Equatable {
    /// Programs after the initial one; of them, those that compiled.
    public var children: Int
    public var compiled: Int
    /// Children that compiled and were stopped before the fine level; of them, those run through
    /// the fine level alone.
    public var stopped: Int
    public var counterfactualRuns: Int
    public var share: Double
    /// Seconds over the children that compiled: compile, the cheap levels, the fine level as run
    /// by the cascade, and the fine level for every one of them (estimated for unsampled ones).
    public var compileSeconds: Double
    public var cheapSeconds: Double
    public var fineSeconds: Double
    public var fineOnlySeconds: Double
    /// Fine-only cost over cascade cost (the cascade's throughput factor), compile included and
    /// excluded; and over all children, those that did not compile included (their compile
    /// costs the same either way).
    public var factorWithCompile: Double?
    public var factorWithoutCompile: Double?
    public var factorAllChildren: Double?
    /// The best the cascade could do here if every cheap level were free of error: (c + F) /
    /// (c + C + 0.1·F) for the mean compile c, cheap levels C and fine level F per child.
    public var bound: Double?
    /// The share of the fine level's top decile (by the fitness metric) that passed the gates.
    public var topDecileRecall: Double?
    /// The top decile's size (weighted), and how much of it the gates stopped.
    public var topDecile: Double
    public var topDecileStopped: Double
    public var estimated: Bool

    enum CodingKeys: String, CodingKey {
        case children, compiled, stopped, share, estimated, bound
        case counterfactualRuns = "counterfactual_runs", compileSeconds = "compile_seconds", cheapSeconds = "cheap_level_seconds"
        case fineSeconds = "fine_seconds", fineOnlySeconds = "fine_only_seconds"
        case factorWithCompile = "factor_with_compile", factorWithoutCompile = "factor_without_compile"
        case factorAllChildren = "factor_all_children", topDecileRecall = "top_decile_recall", topDecile = "top_decile"
        case topDecileStopped = "top_decile_stopped"
    }

    /// One child's figures.
    struct Child {
        var compileSeconds = 0.0
        var compiled = false
        var cheapSeconds = 0.0
        /// The fine level's seconds and score as the cascade ran it (reached), else as the
        /// counterfactual ran it (sampled); the score is `nil` for a failure there.
        var reachedFine = false
        var sampled = false
        var fineSeconds: Double?
        var fineScore: Double?
    }

    /// - Parameter programs: the run's programs in id order (the first is the initial one).
    /// - Parameter evaluations: each program's records.
    /// - Parameter top: the run's last stage, whose score is the fitness (`fine`, or a real
    ///   system above it: the fine level is then one of the cheaper stages). The figures named
    ///   fine below are that stage's.
    /// - Complexity: O(records + children log children).
    public static func measure(programs: [ProgramRecord], evaluations: [Int64: [EvaluationRecord]],
                               metric: LevelMetric, share: Double, top: String = "fine") -> CascadeOnChildren? {
        let children = programs.dropFirst().map { p -> Child in
            var c = Child()
            for e in evaluations[p.id ?? -1] ?? [] where e.status != "skipped" {
                switch e.stage {
                case "compile":
                    c.compileSeconds += e.seconds
                case top:
                    c.compiled = true
                    c.reachedFine = true
                    c.fineSeconds = e.seconds
                    c.fineScore = p.valid ? p.score : nil
                case EvaluationRecord.counterfactualPrefix + top:
                    c.sampled = true
                    c.fineSeconds = e.seconds
                    c.fineScore = e.status == "passed" ? e.metric(metric.name) : nil
                case let stage where stage.hasPrefix(EvaluationRecord.counterfactualPrefix):
                    break  // a cheap level the cascade did not reach: for `GateRules`, not a cost
                default:
                    c.compiled = true
                    c.cheapSeconds += e.seconds
                }
            }
            return c
        }
        guard !children.isEmpty else { return nil }
        let compiled = children.filter(\.compiled)
        let stopped = compiled.filter { !$0.reachedFine }
        let sampled = stopped.filter(\.sampled)
        // Stopped children stand for 1 / share each through the sampled ones.
        let weight = sampled.isEmpty ? 0 : Double(stopped.count) / Double(sampled.count)
        let reachedFine = compiled.filter(\.reachedFine)
        let meanFine = mean((sampled.isEmpty ? reachedFine : sampled).compactMap(\.fineSeconds))

        let compile = compiled.reduce(0) { $0 + $1.compileSeconds }
        let cheap = compiled.reduce(0) { $0 + $1.cheapSeconds }
        let fine = reachedFine.reduce(0) { $0 + ($1.fineSeconds ?? 0) }
        let fineOnly: Double? = stopped.isEmpty || !sampled.isEmpty || meanFine != nil
            ? fine + stopped.reduce(0) { $0 + ($1.fineSeconds ?? meanFine ?? 0) } : nil
        let failedCompiles = children.filter { !$0.compiled }.reduce(0) { $0 + $1.compileSeconds }
        var result = CascadeOnChildren(
            children: children.count, compiled: compiled.count, stopped: stopped.count, counterfactualRuns: sampled.count,
            share: share, compileSeconds: compile, cheapSeconds: cheap, fineSeconds: fine, fineOnlySeconds: fineOnly ?? 0,
            topDecile: 0, topDecileStopped: 0, estimated: sampled.count < stopped.count)
        if let fineOnly, compile + cheap + fine > 0 {
            result.factorWithCompile = (compile + fineOnly) / (compile + cheap + fine)
            result.factorWithoutCompile = cheap + fine > 0 ? fineOnly / (cheap + fine) : nil
            result.factorAllChildren = (compile + failedCompiles + fineOnly) / (compile + failedCompiles + cheap + fine)
            let n = Double(compiled.count)
            let (c, C, F) = (compile / n, cheap / n, fineOnly / n)
            result.bound = c + C + 0.1 * F > 0 ? (c + F) / (c + C + 0.1 * F) : nil
        }

        // The fine level's ranking of every child with a fine figure: reached (weight 1) or
        // sampled (weight 1 / share); a failure ranks last.
        let ranked = (reachedFine.map { ($0, 1.0) } + sampled.map { ($0, weight) })
            .map { (score: $0.0.fineScore.map { metric.lowerIsBetter ? -$0 : $0 }, passed: $0.0.reachedFine, weight: $0.1) }
            .sorted { ($0.score ?? -.infinity) > ($1.score ?? -.infinity) }
        let total = ranked.reduce(0) { $0 + $1.weight }
        var top = 0.0, topStopped = 0.0
        for r in ranked where top < 0.1 * total && r.score != nil {
            top += r.weight
            if !r.passed { topStopped += r.weight }
        }
        result.topDecile = top
        result.topDecileStopped = topStopped
        result.topDecileRecall = top > 0 && (stopped.isEmpty || !sampled.isEmpty) ? (top - topStopped) / top : nil
        return result
    }

    private static func mean(_ xs: [Double]) -> Double? { xs.isEmpty ? nil : xs.reduce(0, +) / Double(xs.count) }
}

extension CascadeOnChildren {
    /// The report's section.
    func markdown(metric: String) -> String {
        var md = "## The cascade against the fine level alone, on this run's children\n\n"
        md += "\(children) children, \(compiled) compiled; \(stopped) of those stopped before the fine level, "
        md += "\(counterfactualRuns) of them run by the fine level alone as well (share \(fixed(share, 2)))"
        md += estimated ? ": the figures below are estimates from that sample.\n\n" : ".\n\n"
        md += "| | seconds |\n|---|---|\n"
        md += "| compile (children that compiled) | \(fixed(compileSeconds, 2)) |\n"
        md += "| cheap levels | \(fixed(cheapSeconds, 2)) |\n| fine level, as the cascade ran it | \(fixed(fineSeconds, 2)) |\n"
        md += "| fine level alone, every child that compiled | \(fixed(fineOnlySeconds, 2)) |\n\n"
        let factor = { (x: Double?) in x.map { fixed($0, 2) + "×" } ?? "–" }
        md += "Fine-only over cascade (evaluations per CPU-hour the cascade buys): \(factor(factorWithCompile)) with compile, "
            + "\(factor(factorWithoutCompile)) without; \(factor(factorAllChildren)) over all children (failed compiles included). "
            + "Bound with error-free gates, (c + F) / (c + C + 0.1·F): \(factor(bound)).\n\n"
        if let recall = topDecileRecall {
            md += "Top-decile recall (by `\(metric)` at the fine level): \(fixed(recall * 100, 1)) % — the gates stopped "
                + "\(fixed(topDecileStopped, 1)) of the top decile's \(fixed(topDecile, 1)) children.\n\n"
        } else {
            md += "Top-decile recall: unknown (no stopped child was run by the fine level alone; `--counterfactual` sets the share).\n\n"
        }
        return md
    }
}
