import Foundation
@testable import Evolve
import Testing

@Suite struct ProgramStoreTests {
    private func freshStore() throws -> (ProgramStore, String) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sim-cascade-store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let path = folder.appendingPathComponent("store.sqlite").path
        let store = try ProgramStore(path: path)
        try store.createRun(RunRecord(id: "r", problem: "spot", seed: 1, config: "{}"))
        return (store, path)
    }

    private func child(_ source: String, iteration: Int) -> IterationCommit {
        IterationCommit(
            call: GeneratorCallRecord(runId: "r", iteration: iteration, model: "offline", prompt: "", response: "<edit>"),
            program: ProgramRecord(runId: "r", iteration: iteration, source: source, parentId: nil, island: 0, generation: 1,
                                   generator: "offline", edit: "<edit>", valid: true, score: 95.5, rejectedAt: nil),
            evaluations: [EvaluationRecord(stage: "coarse", status: "passed", metrics: #"{"mean_cost":95.5}"#, artifacts: "[]", seconds: 0.02),
                          EvaluationRecord(stage: "fine", status: "passed", metrics: #"{"mean_cost":95.5}"#, artifacts: "[]", seconds: 0.04)],
            rngState: "{\"generator\":\(iteration)}", featureRanges: "{}")
    }

    @Test func anIterationIsWrittenWholeAndSurvivesReopening() throws {
        let (store, path) = try freshStore()
        #expect(try store.journalMode() == "wal")
        let program = try #require(try store.commit(child("let a = 1", iteration: 1), run: "r", iteration: 1))
        #expect(program.id != nil)
        let reopened = try ProgramStore(path: path)
        #expect(try reopened.run(id: "r")?.iteration == 1 && reopened.run(id: "r")?.rngState == "{\"generator\":1}")
        #expect(try reopened.programs(run: "r").map(\.source) == ["let a = 1"])
        #expect(try reopened.evaluations(program: program.id!).map(\.stage) == ["coarse", "fine"])
        #expect(try reopened.calls(run: "r").count == 1)
    }

    @Test func aFailureInsideTheTransactionLeavesNothingBehind() throws {
        let (store, _) = try freshStore()
        try store.commit(child("let a = 1", iteration: 1), run: "r", iteration: 1)
        struct Crash: Error {}
        #expect(throws: Crash.self) {
            try store.commit(child("let a = 2", iteration: 2), run: "r", iteration: 2) { throw Crash() }
        }
        #expect(try store.run(id: "r")?.iteration == 1)
        #expect(try store.programs(run: "r").count == 1 && store.calls(run: "r").count == 1)
    }

    @Test func layoutOnlyDuplicatesAreFoundAndOthersAreNot() throws {
        let (store, _) = try freshStore()
        try store.commit(child("let a = 1\nreturn a", iteration: 1), run: "r", iteration: 1)
        #expect(try store.program(sameAs: "let  a = 1   \n\n  return a\n", run: "r") != nil)
        #expect(try store.program(sameAs: "let a = 2\nreturn a", run: "r") == nil)
    }
}
