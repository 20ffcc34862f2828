@testable import Cascade
import Testing

/// Gates and rankings from calibration entries, for metrics of either direction.
@Suite struct CalibrationAnalysisTests {
    /// Candidates `c0…c19` whose cheap value equals their fine value, `value(i)` each.
    private func entries(_ value: (Int) -> Double) -> [CalibrationEntry] {
        (0..<20).map { i in
            let level = CalibrationEntry.Level(value: value(i), valid: true, failure: nil, seconds: i < 10 ? 0.01 : 0.01)
            return CalibrationEntry(name: "c\(i)", origin: "variant", compileSeconds: 0,
                                    levels: ["coarse": level, "fine": level], heldOut: level)
        }
    }

    @Test func higherIsBetterRanksTheLargestFirstAndGatesBelowOne() {
        // c19 is best (value 1.19); the reference is 1.00 at both levels.
        let analysis = CalibrationAnalysis(entries: entries { 1.0 + Double($0) / 100 }, references: ["coarse": 1, "fine": 1],
                                           levelNames: ["coarse", "fine"], metrics: ["coarse": "phr", "fine": "phr"],
                                           lowerIsBetter: false)
        #expect(analysis.byFine.first?.name == "c19" && analysis.topDecile == ["c19", "c18"])
        #expect(analysis.factors.first == 1 && analysis.factors.allSatisfy { $0 <= 1 })
        #expect(analysis.passes(analysis.entries[5], "coarse", 1) && !analysis.passes(analysis.entries[5], "coarse", 1.1))
        let report = analysis.report(problem: "prefix", metric: "phr", referencePolicy: "ggr", search: "s", heldOut: "h")
        // Every candidate is at least the reference: the strictest factor, 1.0, keeps the top decile.
        #expect(report.recommendedGates.map(\.factor) == [1] && report.recommendedGates.map(\.metric) == ["phr"])
        #expect(report.lowerIsBetter == false && report.cascadeTopDecileRecall == 1)
    }

    @Test func lowerIsBetterRanksTheSmallestFirstAndGatesAboveOne() {
        // Values 0.9 … 1.09: c0 is best; gates at 1.0 stop c11…c19.
        let analysis = CalibrationAnalysis(entries: entries { 0.9 + Double($0) / 100 }, references: ["coarse": 1, "fine": 1],
                                           levelNames: ["coarse", "fine"], metrics: ["coarse": "mean_cost", "fine": "mean_cost"])
        #expect(analysis.byFine.first?.name == "c0" && analysis.topDecile == ["c0", "c1"])
        #expect(analysis.factors.allSatisfy { $0 >= 1 })
        #expect(analysis.passes(analysis.entries[10], "coarse", 1) && !analysis.passes(analysis.entries[11], "coarse", 1))
        let report = analysis.report(problem: "spot", metric: "mean_cost", referencePolicy: "greedy", search: "s", heldOut: "h")
        #expect(report.recommendedGates.map(\.factor) == [1])
    }

    /// The pool's compiles counted on both sides: (compile + fine) / (compile + cascade).
    @Test func theFactorWithCompileCountsThePoolsCompiles() throws {
        var pool = entries { 0.9 + Double($0) / 100 }
        for i in pool.indices { pool[i].compileSeconds = 0.5 }
        let analysis = CalibrationAnalysis(entries: pool, references: ["coarse": 1, "fine": 1],
                                           levelNames: ["coarse", "fine"], metrics: ["coarse": "mean_cost", "fine": "mean_cost"])
        let report = analysis.report(problem: "spot", metric: "mean_cost", referencePolicy: "greedy", search: "s", heldOut: "h")
        let compile = try #require(report.compileSeconds), factor = try #require(report.candidatesPerCPUHourFactorWithCompile)
        #expect(abs(compile - 10) < 1e-9)
        #expect(abs(factor - (compile + report.fineOnlySeconds) / (compile + report.cascadeSeconds)) < 1e-12)
        // Compiles cost the same either way: they pull the factor towards 1, from either side.
        let excluded = report.candidatesPerCPUHourFactor
        #expect(min(excluded, 1) <= factor && factor <= max(excluded, 1))
        #expect(CalibrationMarkdown.withCompile(report).contains("of compiles counted on both sides"))
    }
}
