import Cascade
import Foundation

/// The progress line on stderr: iteration, best score, children stopped at each stage,
/// evaluations per minute and the generator's spend.
struct ProgressLine {
    var target: Int
    var metric: LevelMetric
    var best: Double?
    var stopped: [String: Int] = [:]
    var evaluations = 0
    let started = Date()

    init(store: ProgramStore, runID: String, target: Int, metric: LevelMetric) {
        self.target = target
        self.metric = metric
        for p in (try? store.programs(run: runID)) ?? [] { count(p) }
        evaluations = 0
    }

    mutating func count(_ p: ProgramRecord) {
        evaluations += 1
        guard p.valid, let s = p.score else {
            stopped[p.rejectedAt ?? "compile", default: 0] += 1
            return
        }
        if best.map({ metric.lowerIsBetter ? s < $0 : s > $0 }) ?? true { best = s }
    }

    /// The line for one committed iteration.
    mutating func record(_ summary: IterationSummary) -> String {
        if let p = summary.program { count(p) }
        let rate = Double(evaluations) / max(Date().timeIntervalSince(started) / 60, 1e-9)
        let what = summary.program.map { p in p.valid ? "\(metric.name) \(EvolveReport.text(p.score))" : "stopped at \(p.rejectedAt ?? "compile")" }
            ?? "no child (\(summary.error ?? ""))"
        let stops = EvolveReport.stops(stopped)
        return "evolve: \(summary.iteration)\(target == Int.max ? "" : "/\(target)") \(what) | best \(EvolveReport.text(best)) | stopped: \(stops) | "
            + "\(String(format: "%.1f", rate)) evaluations/min | spent \(String(format: "%.4f", summary.spentUSD)) $"
    }
}
