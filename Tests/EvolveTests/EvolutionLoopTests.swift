import Cascade
import Foundation
@testable import Evolve
import Testing

/// The loop with a stand-in evaluator (no sandbox): the score is the sum of the integer
/// literals in the evolve block, lower is better, and a block whose byte sum is divisible by 4 is
/// invalid (about a quarter of the children, whichever mutation made them).
@Suite struct EvolutionLoopTests {
    final class Counter: @unchecked Sendable { var evaluations = 0 }

    static func fakeEvaluate(_ counter: Counter) -> (String) throws -> EvaluatedChild {
        { source in
            counter.evaluations += 1
            let body = (try EvolveBlock(source: source)).body.joined(separator: "\n")
            let numbers = body.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
            let score = Double(numbers.reduce(0, +))
            let valid = body.utf8.reduce(0) { $0 + Int($1) } % 4 != 0
            return EvaluatedChild(valid: valid, score: valid ? score : nil, fitness: valid ? -score : nil,
                                  rejectedAt: valid ? nil : "coarse",
                                  evaluations: [EvaluationRecord(stage: "fine", status: valid ? "passed" : "rejected",
                                                                 metrics: "{\"mean_cost\":\(score)}", artifacts: "[]", seconds: 0)])
        }
    }

    private func store() throws -> ProgramStore {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sim-cascade-loop-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return try ProgramStore(path: folder.appendingPathComponent("store.sqlite").path)
    }

    private var settings: EvolutionSettings {
        var s = EvolutionSettings(problem: "spot", seed: 11)
        s.selection.migrationInterval = 4
        return s
    }

    /// What must be equal between two runs: everything but ids' timing.
    private func snapshot(_ store: ProgramStore) throws -> [String] {
        try store.programs(run: "r").map { "\($0.iteration) \($0.parentId ?? -1) \($0.island) \($0.generation) \($0.valid) \($0.score ?? -1) \($0.featureCell ?? "-") \($0.fingerprint)" }
            + store.calls(run: "r").map { "\($0.iteration) \($0.model) \($0.error ?? "") \($0.response.count)" }
            + [try store.run(id: "r").map { "\($0.iteration) \($0.rngState) \($0.featureRanges)" } ?? ""]
    }

    private func uninterrupted(_ iterations: Int) throws -> [String] {
        let s = try store()
        let loop = try EvolutionLoop.start(store: s, runID: "r", settings: settings, initial: CandidateProblem.spot.template,
                                           evaluate: Self.fakeEvaluate(Counter()))
        try loop.run(until: iterations)
        return try snapshot(s)
    }

    @Test func theSameSeedGivesTheSameRunAndChildrenAreEvaluatedOnce() throws {
        let counter = Counter()
        let s = try store()
        let loop = try EvolutionLoop.start(store: s, runID: "r", settings: settings, initial: CandidateProblem.spot.template,
                                           evaluate: Self.fakeEvaluate(counter))
        try loop.run(until: 24)
        let programs = try s.programs(run: "r")
        #expect(counter.evaluations == programs.count)
        #expect(Set(programs.map(\.normalized)).count == programs.count)
        let a = try snapshot(s), b = try uninterrupted(24)
        #expect(a == b)
        // Only valid programs became parents.
        let valid = Set(programs.filter(\.valid).compactMap(\.id))
        #expect(programs.dropFirst().allSatisfy { $0.parentId.map(valid.contains) ?? false })
        #expect(programs.contains { !$0.valid }, "the stand-in makes some children invalid")
    }

    @Test func anInvalidInitialProgramStartsNoRun() throws {
        let s = try store()
        let initial = "struct Candidate {\n    // EVOLVE-BLOCK-START\n    let a = 5\n    // EVOLVE-BLOCK-END\n}"
        #expect(throws: EvolveError.invalidInitial("stopped at coarse")) {
            try EvolutionLoop.start(store: s, runID: "r", settings: settings, initial: initial, evaluate: Self.fakeEvaluate(Counter()))
        }
        #expect(try s.run(id: "r") == nil && s.programs(run: "r").isEmpty)
    }

    @Test func aLoopWhoseIterationFailedContinuesLikeAResume() throws {
        struct Crash: Error {}
        let s = try store()
        let loop = try EvolutionLoop.start(store: s, runID: "r", settings: settings, initial: CandidateProblem.spot.template,
                                           evaluate: Self.fakeEvaluate(Counter()))
        var failOnce = true
        loop.beforeCommit = { if $0 == 5 && failOnce { failOnce = false; throw Crash() } }
        #expect(throws: Crash.self) { try loop.run(until: 24) }
        try loop.run(until: 24)  // the same loop, after the failure
        #expect(try snapshot(s) == (try uninterrupted(24)))
    }

    @Test func resumingAfterAStopContinuesExactly() throws {
        let s = try store()
        let first = try EvolutionLoop.start(store: s, runID: "r", settings: settings, initial: CandidateProblem.spot.template,
                                            evaluate: Self.fakeEvaluate(Counter()))
        try first.run(until: 9)
        let second = try EvolutionLoop.resume(store: s, runID: "r", evaluate: Self.fakeEvaluate(Counter()))
        #expect(second.completed == 9)
        try second.run(until: 24)
        #expect(try snapshot(s) == (try uninterrupted(24)))
    }

    @Test func aCrashInsideTheCommitOrTheEvaluationLosesOnlyThatIteration() throws {
        struct Crash: Error {}
        let s = try store()
        let loop = try EvolutionLoop.start(store: s, runID: "r", settings: settings, initial: CandidateProblem.spot.template,
                                           evaluate: Self.fakeEvaluate(Counter()))
        loop.beforeCommit = { if $0 == 11 { throw Crash() } }
        #expect(throws: Crash.self) { try loop.run(until: 24) }
        #expect(try s.run(id: "r")?.iteration == 10)
        // Resumed, it crashes inside an evaluation once more.
        var crashed = false
        let base = Self.fakeEvaluate(Counter())
        let resumed = try EvolutionLoop.resume(store: s, runID: "r", evaluate: { source in
            if !crashed, (try s.run(id: "r")?.iteration ?? 0) >= 16 { crashed = true; throw Crash() }
            return try base(source)
        })
        #expect(throws: Crash.self) { try resumed.run(until: 24) }
        try EvolutionLoop.resume(store: s, runID: "r", evaluate: Self.fakeEvaluate(Counter())).run(until: 24)
        #expect(try snapshot(s) == (try uninterrupted(24)))
    }
}
