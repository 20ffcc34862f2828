import Cascade
import Foundation
import Testing
@testable import Evolve

/// The report's cascade-against-fine-only figures on a run's children, from its records.
@Suite struct CascadeOnChildrenTests {
    /// An initial program, a child that did not compile, ten that reached the fine level with
    /// scores 10…19 (lower is better), and two stopped at the cost model, one of them (score
    /// `sampledScore`) also run by the fine level alone.
    private func run(sampledScore: Double) -> ([ProgramRecord], [Int64: [EvaluationRecord]]) {
        var programs: [ProgramRecord] = []
        var evaluations: [Int64: [EvaluationRecord]] = [:]
        func add(_ valid: Bool, _ score: Double?, _ rejectedAt: String?, _ records: [EvaluationRecord]) {
            var p = ProgramRecord(runId: "r", iteration: programs.count, source: "s\(programs.count)", parentId: nil, island: 0,
                                  generation: 0, generator: "g", edit: "", valid: valid, score: score, rejectedAt: rejectedAt)
            p.id = Int64(programs.count + 1)
            programs.append(p)
            evaluations[p.id!] = records
        }
        func record(_ stage: String, _ status: String, _ seconds: Double, _ metrics: String = "{}") -> EvaluationRecord {
            EvaluationRecord(stage: stage, status: status, metrics: metrics, artifacts: "[]", seconds: seconds)
        }
        add(true, 20, nil, [record("compile", "passed", 0.5), record("cost_model", "passed", 0.01), record("fine", "passed", 1)])
        add(false, nil, "compile", [record("compile", "failed", 1)])
        for k in 0..<10 {
            add(true, Double(10 + k), nil, [record("compile", "passed", 0.5), record("cost_model", "passed", 0.01),
                                            record("fine", "passed", 1)])
        }
        add(false, nil, "cost_model", [record("compile", "passed", 0.5), record("cost_model", "rejected", 0.01),
                                       record(EvaluationRecord.counterfactualStage, "passed", 1.2, "{\"mean_cost\":\(sampledScore)}")])
        add(false, nil, "cost_model", [record("compile", "passed", 0.5), record("cost_model", "rejected", 0.01)])
        return (programs, evaluations)
    }

    private let metric = LevelMetric(name: "mean_cost", lowerIsBetter: true)

    @Test func costsAreAddedUpAndTheUnsampledChildIsEstimatedFromTheSampledOne() throws {
        let (programs, evaluations) = run(sampledScore: 25)
        let c = try #require(CascadeOnChildren.measure(programs: programs, evaluations: evaluations, metric: metric, share: 0.5))
        #expect((c.children, c.compiled, c.stopped, c.counterfactualRuns, c.estimated) == (13, 12, 2, 1, true))
        #expect(abs(c.compileSeconds - 6) < 1e-12 && abs(c.cheapSeconds - 0.12) < 1e-12 && abs(c.fineSeconds - 10) < 1e-12)
        #expect(abs(c.fineOnlySeconds - 12.4) < 1e-12)  // 10 run + 1.2 sampled + 1.2 estimated
        #expect(abs(c.factorWithCompile! - 18.4 / 16.12) < 1e-12)
        #expect(abs(c.factorWithoutCompile! - 12.4 / 10.12) < 1e-12)
        #expect(abs(c.factorAllChildren! - 19.4 / 17.12) < 1e-12)  // the failed compile's 1 s on both sides
        let f = 12.4 / 12
        #expect(abs(c.bound! - (0.5 + f) / (0.51 + 0.1 * f)) < 1e-12)
        // The sampled child ranks last: the top decile (1.2 of weight 12) is scores 10 and 11.
        #expect(c.topDecileRecall == 1 && c.topDecile == 2 && c.topDecileStopped == 0)
    }

    @Test func aStoppedChildTheFineLevelRanksBestIsALossOfRecallWeightedByTheShare() throws {
        let (programs, evaluations) = run(sampledScore: 5)
        let c = try #require(CascadeOnChildren.measure(programs: programs, evaluations: evaluations, metric: metric, share: 0.5))
        // It stands for both stopped children (weight 2), the whole top decile.
        #expect(c.topDecileRecall == 0 && c.topDecile == 2 && c.topDecileStopped == 2)
        let md = c.markdown(metric: "mean_cost")
        #expect(md.contains("Top-decile recall (by `mean_cost` at the fine level): 0.0 %"))
        #expect(md.contains("estimates"))
    }

    @Test func withoutASampleTheRecallIsUnknown() throws {
        var (programs, evaluations) = run(sampledScore: 5)
        evaluations[Int64(programs.count - 1)]?.removeLast()  // the counterfactual record
        programs.removeLast()
        let c = try #require(CascadeOnChildren.measure(programs: programs, evaluations: evaluations, metric: metric, share: 0))
        #expect(c.counterfactualRuns == 0 && c.topDecileRecall == nil)
        #expect(c.markdown(metric: "mean_cost").contains("Top-decile recall: unknown"))
    }

    @Test func samplingIsSeededBySourceAndKeepsItsShare() {
        let sources = (0..<4_000).map { "struct Candidate { let k = \($0) }" }
        let a = CounterfactualSampling(share: 0.3, seed: 1), b = CounterfactualSampling(share: 0.3, seed: 2)
        let picked = sources.filter(a.samples)
        #expect(abs(Double(picked.count) / 4_000 - 0.3) < 0.03)
        #expect(picked == sources.filter(a.samples))
        #expect(picked != sources.filter(b.samples))
        #expect(sources.allSatisfy(CounterfactualSampling(share: 1, seed: 1).samples))
        #expect(!sources.contains(where: CounterfactualSampling(share: 0, seed: 1).samples))
    }
}
