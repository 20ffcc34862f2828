import Cascade
import Foundation
import Testing
@testable import Evolve

/// Gates replayed relative to the initial program, the parent and the best so far, on a run's
/// children with every level measured.
@Suite struct GateRulesTests {
    private let metric = LevelMetric(name: "mean_cost", lowerIsBetter: true)
    private let gate = GateRules.Gate(level: "cost_model", metric: "mean_cost", lowerIsBetter: true, factor: 1.5)

    private func record(_ stage: String, _ status: String, _ seconds: Double, _ value: Double? = nil) -> EvaluationRecord {
        EvaluationRecord(stage: stage, status: status, metrics: value.map { "{\"mean_cost\":\($0)}" } ?? "{}", artifacts: "[]",
                         seconds: seconds)
    }

    /// The initial program (cost 100 at both levels), a good parent (cost 50), and twenty
    /// children of that parent: cost model = fine = 45 + k (k = 0…19). The run's gate
    /// (1.5 × 100) stops none of them.
    private func run() -> ([ProgramRecord], [Int64: [EvaluationRecord]]) {
        var programs: [ProgramRecord] = []
        var evaluations: [Int64: [EvaluationRecord]] = [:]
        func add(parent: Int64?, score: Double, records: [EvaluationRecord]) {
            var p = ProgramRecord(runId: "r", iteration: programs.count, source: "s\(programs.count)", parentId: parent, island: 0,
                                  generation: 0, generator: "g", edit: "", valid: true, score: score, rejectedAt: nil)
            p.id = Int64(programs.count + 1)
            programs.append(p)
            evaluations[p.id!] = records
        }
        add(parent: nil, score: 100, records: [record("compile", "passed", 0.5), record("cost_model", "passed", 0.1, 100),
                                               record("fine", "passed", 1, 100)])
        add(parent: 1, score: 50, records: [record("compile", "passed", 0.5), record("cost_model", "passed", 0.1, 50),
                                            record("fine", "passed", 1, 50)])
        for k in 0..<20 {
            let x = 45 + Double(k)
            add(parent: 2, score: x, records: [record("compile", "passed", 0.5), record("cost_model", "passed", 0.1, x),
                                               record("fine", "passed", 1, x)])
        }
        return (programs, evaluations)
    }

    @Test func aParentRelativeGateStopsTheChildrenWorseThanTheParentAndKeepsTheTopDecile() throws {
        let (programs, evaluations) = run()
        let rules = try #require(GateRules.measure(programs: programs, evaluations: evaluations, gates: [gate], metric: metric, workers: 1))
        #expect(rules.children == 21 && rules.topDecile == 3)  // the parent counts as a child of the initial program
        // The run's gates (1.5 × 100) stop nothing; the initial-relative rule's strictest factor 1.0 stops nothing either.
        #expect(rules.asRun.stopped == 0 && rules.asRun.topDecileRecall == 1)
        let initial = try #require(rules.rules.first { $0.reference == "initial" })
        #expect(initial.stopped == 0 && initial.factors["cost_model"] == 1.0)
        // Relative to the parent (50) at factor 1.0: the children above 50 stop (14 of 20); the best three pass.
        let parent = try #require(rules.rules.first { $0.reference == "parent" })
        #expect(parent.factors["cost_model"] == 1.0 && parent.stopped == 14 && parent.topDecileRecall == 1)
        // Fine-only: 21 × (0.5 + 1); the parent rule: 21 × 0.6 + 7 × 1.
        #expect(abs(parent.factorWithCompile - 21 * 1.5 / (21 * 0.6 + 7)) < 1e-12)
        // "best" stops more (its reference moves with the run) but the loop is offered initial and parent only.
        #expect(parent.factorWithCompile > initial.factorWithCompile && rules.recommended == "parent")
        #expect(rules.recommendedGates == [LevelGate(level: "cost_model", metric: "mean_cost", factor: 1.0)])
        #expect(GateRules.passes(51, 50, gate, 1.025) && !GateRules.passes(52, 50, gate, 1.025))
    }

    @Test func withoutEveryLevelMeasuredThereIsNoReplay() {
        var (programs, evaluations) = run()
        // A stopped child whose fine level was never run.
        var p = programs[2]
        p.id = 99
        programs.append(p)
        evaluations[99] = [record("compile", "passed", 0.5), record("cost_model", "rejected", 0.1, 90)]
        #expect(GateRules.measure(programs: programs, evaluations: evaluations, gates: [gate], metric: metric, workers: 1) == nil)
        // With the counterfactual's fine run it replays.
        evaluations[99]!.append(record(EvaluationRecord.counterfactualStage, "passed", 1, 90))
        #expect(GateRules.measure(programs: programs, evaluations: evaluations, gates: [gate], metric: metric, workers: 1) != nil)
    }
}
