import Cascade
import Evolve
import Foundation
import TestSupport
import Testing

extension CandidateSandboxTests {
    /// An evaluation run in another process (as an executor on another machine runs it: `eval
    /// --json` with the run's inputs and gates) rebuilds exactly what `evolve` stored for the
    /// same child in process — the ground an executor seam stands on.
    @Suite struct RemoteReports {
        @Test func anEvalReportRebuildsWhatEvolveStored() throws {
            let folder = try TestPaths.temporaryDirectory()
            let gates = folder.appendingPathComponent("gates.json")
            try Data(#"{"gates": [{"level": "cost_model", "metric": "mean_cost", "factor": 1.25}, {"level": "coarse", "metric": "mean_cost", "factor": 1.1}]}"#.utf8).write(to: gates)
            let run = folder.appendingPathComponent("run")
            var environment = ProcessInfo.processInfo.environment
            environment["SIM_CASCADE_SANDBOX_UIDS"] = SandboxUIDs().description
            let evolved = try CommandRunner.run(["evolve", "--iterations", "8", "--inputs", "small", "--run", run.path, "--no-rescore",
                                                 "--counterfactual", "0", "--gates", gates.path, "--workers", "1"], environment: environment)
            #expect(evolved.status == 0, "\(evolved.stderr)")

            let store = try ProgramStore(path: run.appendingPathComponent("store.sqlite").path, readOnly: true)
            let programs = try store.programs(run: "run")
            let stored = try store.evaluations(run: "run")
            #expect(programs.count == 9)
            #expect(Set(programs.map(\.valid)) == [true, false], "the run should hold valid and stopped children")
            let spot = try CandidateProblem(named: "spot")
            for program in programs {
                let source = folder.appendingPathComponent("p\(program.id ?? 0).swift")
                try program.source.write(to: source, atomically: true, encoding: .utf8)
                let report = try CandidateFixtures.eval(source, ["--gates", gates.path, "--no-public-evaluator"])
                #expect(report.status == 0, "\(report.stderr)")
                let child = try CascadeEvaluation.child(fromReport: Data(report.stdout.utf8), fitness: spot.fitness, topLevel: "fine")
                #expect(child.valid == program.valid && child.score == program.score && child.rejectedAt == program.rejectedAt,
                        "iteration \(program.iteration)")
                // Everything a dump compares: the seconds are the only field left out.
                func kept(_ r: EvaluationRecord) -> [String?] { [r.stage, r.status, r.metrics, r.artifacts, r.failureKind, r.failureMessage] }
                #expect(child.evaluations.map(kept) == (stored[program.id ?? -1] ?? []).map(kept), "iteration \(program.iteration)")
            }
            #expect(throws: CascadeError.self) {
                try CascadeEvaluation.child(fromReport: Data("{\"valid\": true}".utf8), fitness: spot.fitness, topLevel: "fine")
            }
        }
    }
}
