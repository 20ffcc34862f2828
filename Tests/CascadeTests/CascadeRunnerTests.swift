@testable import Cascade
import Foundation
import TestSupport
import Testing

/// A level that reports fixed metrics (or a failure) without running anything.
private struct FixedLevel: FidelityLevel {
    var name: String
    var value: Double
    var reference: Double = 100
    var failure: CandidateFailure?

    var metrics: [LevelMetric] { [LevelMetric(name: "mean_cost", lowerIsBetter: true)] }
    var primaryMetric: String { "mean_cost" }
    func run(_ candidate: CompiledCandidate, sandbox: Sandbox, budget: StageBudget?, test: SequentialTest?) throws
        -> LevelResult {
        // Under a sequential test: 4 of 16 equal units, so the verdict is certain after one batch.
        let verdict = test?.decide(Array(repeating: .init(value: value, reference: reference, items: 1), count: 4),
                                   unitsTotal: 16, itemsTotal: 16)
        // The log tells the test what the level was handed.
        return LevelResult(level: name, metrics: failure == nil ? ["mean_cost": value] : [:], failure: failure, seconds: 0.01,
                           score: nil, artifacts: [], log: "budget \(budget?.wallSeconds ?? 0) test \(test != nil)",
                           sequential: verdict, items: verdict.map { _ in (4, 16) })
    }
    var sequentialMetrics: [String] { ["mean_cost"] }
    func referenceMetrics() -> [String: Double] { ["mean_cost": reference] }
}

@Suite struct CascadeRunnerTests {
    let candidate = CompiledCandidate(executable: URL(fileURLWithPath: "/nonexistent"), cached: true, seconds: 0)
    var sandbox: Sandbox { Sandbox(mode: .unsafeNone, limits: SandboxLimits(), spawner: PosixSpawner()) }
    let gates = [LevelGate(level: "cost_model", metric: "mean_cost", factor: 1.25),
                 LevelGate(level: "coarse", metric: "mean_cost", factor: 1.10)]

    private func levels(_ values: [Double], failure: Int? = nil) -> [any FidelityLevel] {
        zip(["cost_model", "coarse", "fine"], values).enumerated().map { i, pair in
            FixedLevel(name: pair.0, value: pair.1, failure: i == failure ? CandidateFailure(.crash, "boom") : nil)
        }
    }

    @Test func aCandidateWithinEveryGateRunsAllLevels() throws {
        let run = try CascadeRunner(levels: levels([120, 105, 99]), gates: gates).run(candidate, sandbox: sandbox)
        #expect(run.rejectedAt == nil && run.failure == nil)
        #expect(run.stages.map(\.status) == [.passed, .passed, .passed])
        #expect(run.stages[0].threshold == 125 && run.stages[1].threshold.map { abs($0 - 110) < 1e-9 } == true)
    }

    @Test func aGateStopsTheCandidateAndLaterStagesAreSkipped() throws {
        let run = try CascadeRunner(levels: levels([130, 105, 99]), gates: gates).run(candidate, sandbox: sandbox)
        #expect(run.rejectedAt == "cost_model")
        #expect(run.failure?.kind == .rejected && run.failure?.message.hasPrefix("mean_cost 130.0 vs gate 125.0") == true)
        #expect(run.stages.map(\.status) == [.rejected, .skipped, .skipped])
        #expect(run.score == nil)
    }

    @Test func aFailureInsideAStageKeepsItsKind() throws {
        let run = try CascadeRunner(levels: levels([120, 105, 99], failure: 1), gates: gates).run(candidate, sandbox: sandbox)
        #expect(run.rejectedAt == "coarse" && run.failure?.kind == .crash)
        #expect(run.stages.map(\.status) == [.passed, .failed, .skipped])
    }

    @Test func allLevelsRunsEverythingButTheCandidateStaysInvalid() throws {
        let run = try CascadeRunner(levels: levels([130, 200, 99]), gates: gates, allLevels: true).run(candidate, sandbox: sandbox)
        #expect(run.stages.map(\.status) == [.rejected, .rejected, .passed])
        #expect(run.rejectedAt == "cost_model" && run.score == nil)
    }

    @Test func gatesNamingUnknownLevelsOrMetricsAreRejected() {
        #expect(throws: CascadeError.self) {
            _ = try CascadeRunner(levels: levels([1, 1, 1]), gates: [LevelGate(level: "medium", metric: "mean_cost", factor: 1)]).validated()
        }
        #expect(throws: CascadeError.self) {
            _ = try CascadeRunner(levels: levels([1, 1, 1]), gates: [LevelGate(level: "coarse", metric: "p99", factor: 1)]).validated()
        }
        #expect(throws: CascadeError.self) {
            _ = try CascadeRunner(levels: levels([1, 1, 1]), gates: [LevelGate(level: "coarse", metric: "mean_cost", factor: -1)]).validated()
        }
    }

    @Test func eachStageGetsItsOwnBudget() throws {
        let budgets = [StageBudget(level: "coarse", wallSeconds: 5)]
        let run = try CascadeRunner(levels: levels([120, 105, 99]), gates: gates, budgets: budgets).validated()
            .run(candidate, sandbox: sandbox)
        #expect(run.stages.map(\.log) == ["budget 0.0 test false", "budget 5.0 test false", "budget 0.0 test false"])
        #expect(run.stages[1].budget == budgets[0])
        #expect(throws: CascadeError.self) {
            _ = try CascadeRunner(levels: levels([1, 1, 1]), gates: [], budgets: [StageBudget(level: "medium", wallSeconds: 1)]).validated()
        }
    }

    @Test func aSequentialGateRejectsOnItsVerdictAndSaysSo() throws {
        var sequential = gates
        sequential[1].sequential = SequentialSettings()
        let run = try CascadeRunner(levels: levels([120, 130, 99]), gates: sequential).validated().run(candidate, sandbox: sandbox)
        #expect(run.rejectedAt == "coarse" && run.stages[1].items?.run == 4)
        #expect(run.failure?.message.contains("[sequential: after 4 of 16 units") == true)
        #expect(run.stages.map(\.log)[0 ... 1] == ["budget 0.0 test false", "budget 0.0 test true"])
        // --all-levels measures every level in full: no sequential test.
        let all = try CascadeRunner(levels: levels([120, 130, 99]), gates: sequential, allLevels: true).run(candidate, sandbox: sandbox)
        #expect(all.stages[1].log == "budget 0.0 test false" && all.stages[1].status == .rejected)
    }

    @Test func sequentialSettingsOutsideTheirDomainAreRefused() {
        for settings in [SequentialSettings(batches: 0), SequentialSettings(confidence: 1), SequentialSettings(confidence: 0)] {
            #expect(throws: CascadeError.self) {
                _ = try CascadeRunner(levels: levels([1, 1, 1]),
                                      gates: [LevelGate(level: "coarse", metric: "mean_cost", factor: 1.1, sequential: settings)]).validated()
            }
        }
    }

    /// An evolve run's `evolve-gates.json`: written and read back whole; a reference other than
    /// initial or parent is refused.
    @Test func anEvolveGatesFileRoundTrips() throws {
        let file = GatesFile(gates: [LevelGate(level: "coarse", metric: "mean_cost", factor: 1.01)],
                             budgets: [StageBudget(level: "fine", wallSeconds: 46)], levels: ["coarse", "fine"], relativeTo: "parent",
                             note: "calibrated on a run")
        let url = try TestPaths.temporaryDirectory().appendingPathComponent("evolve-gates.json")
        try file.encoded().write(to: url)
        #expect(try GatesFile.load(from: url) == file)
        try Data(#"{"gates": [], "gates_relative_to": "best"}"#.utf8).write(to: url)
        #expect(throws: CascadeError.self) { try GatesFile.load(from: url) }
    }

    @Test func committedCalibrationReportsAreGatesFilesEvalCanRead() throws {
        let folder = TestPaths.repositoryRoot.appendingPathComponent("fidelity-reports")
        let reports = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".json") }
        #expect(!reports.isEmpty)
        for name in reports {
            let url = folder.appendingPathComponent(name)
            let file = try GatesFile.load(from: url)
            // The levels end at the level the report measured against: fine, or a real system above it.
            let report = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any]
            let target = report?["target_level"] as? String ?? "fine"
            #expect(!file.budgets.isEmpty && file.levels?.last == target, "\(name)")
        }
    }
}
