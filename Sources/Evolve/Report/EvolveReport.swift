import Cascade
import Foundation
import SimCore

/// The end of an evolve run: the leaderboard, the best program re-scored on inputs the search
/// never saw (and, for spot, the public adrs-1080 set) next to the initial program, and the
/// files `DIR/best.swift`, `DIR/report.md` and `DIR/progress.svg`.
public struct EvolveReport: Encodable, Sendable {
    public struct Entry: Encodable, Sendable { var iteration: Int; var score: Double; var generation: Int; var island: Int; var generator: String }
    /// One program scored on one input set by the fine level alone.
    public struct Rescore: Encodable, Sendable { var set: String; var initial: Double?; var best: Double?; var note: String? }

    public var run: String
    public var problem: String
    public var metric: String
    public var lowerIsBetter: Bool
    public var iterations: Int
    public var programs: Int
    public var stopped: [String: Int]
    public var failedCalls: Int
    public var spentUSD: Double
    public var stopReason: String
    public var initialScore: Double?
    public var bestScore: Double?
    public var leaderboard: [Entry]
    public var rescored: [Rescore]
    /// What the run's programs cost, per stage (`compile` first): programs that reached it and
    /// seconds spent there (compile: the parent's wall time, cache hits included; a level: its
    /// sandboxed run).
    public var stageCosts: [StageCost]
    /// The cascade against the fine level alone on this run's children (`nil` without children).
    public var cascadeOnChildren: CascadeOnChildren? = nil
    /// The gates replayed relative to the initial program, the parent and the best so far
    /// (runs with `--counterfactual all` and known gates only).
    public var gateRules: GateRules? = nil

    /// The best program's improvement over the initial one on the held-out inputs, as a share of
    /// its improvement on the search inputs (1: all of it carries over; negative: it got worse);
    /// `nil` without a search improvement or a held-out score. Overfitting shows here.
    public var heldOutRetention: Double? = nil

    static func retention(initial: Double?, best: Double?, rescored: [Rescore], lowerIsBetter: Bool) -> Double? {
        guard let initial, let best, let held = rescored.first(where: { $0.set == "held-out" }),
              let hi = held.initial, let hb = held.best else { return nil }
        let search = lowerIsBetter ? initial - best : best - initial
        guard search > 0 else { return nil }
        return (lowerIsBetter ? hi - hb : hb - hi) / search
    }

    public struct StageCost: Encodable, Sendable, Equatable {
        var stage: String
        var programs: Int
        var seconds: Double
    }

    enum CodingKeys: String, CodingKey {
        case run, problem, metric, iterations, programs, stopped, leaderboard, rescored, stageCosts = "stage_costs"
        case heldOutRetention = "held_out_retention", cascadeOnChildren = "cascade_on_children", gateRules = "gate_rules"
        case lowerIsBetter = "lower_is_better", failedCalls = "failed_calls", spentUSD = "spent_usd", stopReason = "stop_reason"
        case initialScore = "initial_score", bestScore = "best_score"
    }

    /// - Parameter rescore: scores a source on every re-scoring set, `(set, score or failure)`.
    /// - Parameter programs: the run's programs in id order.
    /// - Parameter gates: the run's gates with their directions, for `GateRules` (`nil`: left out).
    public static func make(store: ProgramStore, runID: String, programs: [ProgramRecord], folder: URL, stopReason: StopReason,
                     gates: [GateRules.Gate]? = nil,
                     rescore: (String) throws -> [(set: String, score: Double?, failure: String?)]) throws -> EvolveReport {
        guard let run = try store.run(id: runID) else { throw EvolveError.invalidOption("--run", value: folder.path, reason: "holds no run") }
        let calls = try store.calls(run: runID)
        let settings = try? JSONDecoder().decode(EvolutionSettings.self, from: Data(run.config.utf8))
        let problem = try store.problem(named: run.problem)
        let metric = settings?.fitness(of: problem) ?? problem.fitness
        let ranked = programs.ranked(by: metric)
        var rescored: [Rescore] = []
        if let best = ranked.first, let initial = programs.first {
            let a = try rescore(initial.source), b = best.id == initial.id ? a : try rescore(best.source)
            rescored = zip(a, b).map { x, y in
                Rescore(set: x.set, initial: x.score, best: y.score,
                        note: [x.failure.map { "initial: \($0)" }, y.failure.map { "best: \($0)" }].compactMap { $0 }.joined(separator: "; ").nilIfEmpty)
            }
        }
        let evaluations = try store.evaluations(run: runID)
        var report = EvolveReport(run: folder.path, problem: run.problem, metric: metric.name, lowerIsBetter: metric.lowerIsBetter,
                                  iterations: run.iteration, programs: programs.count,
                                  stopped: programs.stoppedByStage,
                                  failedCalls: calls.filter { $0.error != nil }.count, spentUSD: calls.reduce(0) { $0 + $1.costUSD },
                                  stopReason: stopReason.rawValue, initialScore: programs.first?.score, bestScore: ranked.first?.score,
                                  leaderboard: ranked.prefix(10).map {
                                      Entry(iteration: $0.iteration, score: $0.score!, generation: $0.generation, island: $0.island, generator: $0.generator)
                                  },
                                  rescored: rescored, stageCosts: stageCosts(evaluations))
        // The run's top stage: the initial program's last (it is valid, so it ran every stage).
        let top = (evaluations[programs.first?.id ?? -1] ?? []).last { $0.stage != "compile" && !$0.isCounterfactual }?.stage ?? "fine"
        report.cascadeOnChildren = CascadeOnChildren.measure(programs: programs, evaluations: evaluations, metric: metric,
                                                             share: settings?.counterfactualShare ?? 0, top: top)
        if let gates, (settings?.counterfactualShare ?? 0) >= 1 {
            report.gateRules = GateRules.measure(programs: programs, evaluations: evaluations, gates: gates, metric: metric,
                                                 workers: settings?.workers ?? 1, asRun: settings?.gateReference ?? "initial", top: top)
        }
        report.heldOutRetention = retention(initial: report.initialScore, best: report.bestScore, rescored: rescored,
                                            lowerIsBetter: metric.lowerIsBetter)
        return report
    }

    /// Seconds and programs per stage over the run's records, by program (runs stored before
    /// compiles were recorded show no compile row).
    /// - Complexity: O(records).
    static func stageCosts(_ evaluations: [Int64: [EvaluationRecord]]) -> [StageCost] {
        var costs: [String: StageCost] = [:]
        for records in evaluations.values {
            for e in records where e.status != "skipped" {
                var cost = costs[e.stage] ?? StageCost(stage: e.stage, programs: 0, seconds: 0)
                cost.programs += 1
                cost.seconds += e.seconds
                costs[e.stage] = cost
            }
        }
        return costs.values.sorted { (stageRank($0.stage), $0.stage) < (stageRank($1.stage), $1.stage) }
    }

    /// Writes best.swift, progress.svg and report.md into the run folder.
    public static func write(_ report: EvolveReport, programs: [ProgramRecord], folder: URL) throws {
        let metric = LevelMetric(name: report.metric, lowerIsBetter: report.lowerIsBetter)  // `make` chose it
        let best = programs.ranked(by: metric).first
        do {
            if let best { try Data(best.source.utf8).write(to: folder.appendingPathComponent("best.swift")) }
            try Data(ProgressPlot.render(programs, metric: metric, iterations: report.iterations).utf8).write(to: folder.appendingPathComponent("progress.svg"))
            try Data(report.markdown(bestSource: best?.source).utf8).write(to: folder.appendingPathComponent("report.md"))
        } catch {
            throw EvolveError.cannotWrite(path: folder.path, reason: error.localizedDescription)
        }
    }

    public func markdown(bestSource: String?) -> String {
        var md = "# evolve: \(problem), \(Self.count(iterations, "iteration"))\n\n"
        md += "Run folder `\(run)`; stopped by: \(stopReason). \(Self.count(programs, "program")) evaluated; children stopped by stage: "
            + Self.stops(stopped) + "; \(Self.count(failedCalls, "iteration")) without a child (failed edits, duplicates, failed calls); "
            + "generator spend \(String(format: "%.4f", spentUSD)) $.\n\n"
        md += "Score: `\(metric)` on the search inputs, \(lowerIsBetter ? "lower" : "higher") is better. "
            + "Initial program \(Self.text(initialScore)), best \(Self.text(bestScore)).\n\n![progress](progress.svg)\n\n"
        let cascadeStages = stageCosts.filter { !$0.stage.hasPrefix(EvaluationRecord.counterfactualPrefix) }
        if !cascadeStages.isEmpty {
            let total = cascadeStages.reduce(0) { $0 + $1.seconds }
            md += "## What the cascade cost on this run's programs\n\n| stage | programs | seconds | share |\n|---|---|---|---|\n"
            for c in cascadeStages {
                md += "| \(c.stage) | \(c.programs) | \(fixed(c.seconds, 2)) | \(fixed(total > 0 ? c.seconds / total * 100 : 0, 1)) % |\n"
            }
            md += "| total | | \(fixed(total, 2)) | |\n\n"
            if let c = stageCosts.first(where: { $0.stage == EvaluationRecord.counterfactualStage }) {
                let all = stageCosts.filter { $0.stage.hasPrefix(EvaluationRecord.counterfactualPrefix) }.reduce(0) { $0 + $1.seconds }
                md += "Not in the total: \(Self.count(c.programs, "stopped child", "stopped children")) also run by the levels the "
                    + "cascade did not reach, ungated (the counterfactual below), \(fixed(all, 2)) s.\n\n"
            }
        }
        if let c = cascadeOnChildren { md += c.markdown(metric: metric) }
        if let g = gateRules { md += g.markdown() }
        if !rescored.isEmpty {
            md += "## Re-scored by the fine level on inputs the search never saw\n\n| set | initial | best | note |\n|---|---|---|---|\n"
            for r in rescored { md += "| \(r.set) | \(Self.text(r.initial)) | \(Self.text(r.best)) | \(r.note ?? "") |\n" }
            md += "\n"
            if let retention = heldOutRetention {
                md += "Search → held-out: the best program keeps \(fixed(retention * 100, 1)) % of its search improvement over the "
                    + "initial program on the held-out inputs\(retention < 0.5 ? " — below half: the search set is overfitted" : "").\n\n"
            }
        }
        md += "## Leaderboard\n\n| rank | iteration | \(metric) | generation | island | generator |\n|---|---|---|---|---|---|\n"
        for (k, e) in leaderboard.enumerated() {
            md += "| \(k + 1) | \(e.iteration) | \(Self.text(e.score)) | \(e.generation) | \(e.island) | \(e.generator) |\n"
        }
        if let bestSource, let block = try? EvolveBlock(source: bestSource) {
            md += "\n## The best program's evolve block (`best.swift`)\n\n```swift\n" + block.body.joined(separator: "\n") + "\n```\n"
        }
        return md
    }

    public static func text(_ x: Double?) -> String { x.map { fixed($0, 4) } ?? "–" }

    static func count(_ n: Int, _ noun: String, _ plural: String? = nil) -> String {
        "\(n) \(n == 1 ? noun : plural ?? noun + "s")"
    }

    /// Where children were stopped, in cascade order.
    public static func stops(_ stopped: [String: Int]) -> String {
        stopped.isEmpty ? "none" : stopped.sorted { (stageRank($0.key), $0.key) < (stageRank($1.key), $1.key) }
            .map { "\($0.key) \($0.value)" }.joined(separator: ", ")
    }

    static func stageRank(_ stage: String) -> Int {
        stage.hasPrefix(EvaluationRecord.counterfactualPrefix) ? 5 : ["compile": 0, "cost_model": 1, "coarse": 2, "fine": 3][stage] ?? 4
    }
}

extension String {
    var nilIfEmpty: String? { isEmpty ? nil : self }
}
