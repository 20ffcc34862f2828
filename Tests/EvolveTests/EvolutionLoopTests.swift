import Cascade
import Foundation
@testable import Evolve
import TestSupport
import Testing
import SimCore

/// The loop with a stand-in evaluator (no sandbox): the score is the sum of the integer
/// literals in the evolve block, lower is better, and a block whose byte sum is divisible by 4 is
/// invalid (about a quarter of the children, whichever mutation made them).
@Suite struct EvolutionLoopTests {
    final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var count = 0
        var evaluations: Int { lock.withLock { count } }
        func add() { lock.withLock { count += 1 } }
    }

    static func fakeEvaluate(_ counter: Counter, jitter: Bool = false) -> @Sendable (String, [String: Double]) throws -> EvaluatedChild {
        { source, _ in
            counter.add()
            if jitter { usleep(UInt32.random(in: 0 ..< 3000)) }  // results arrive in any order
            let body = (try EvolveBlock(source: source)).body.joined(separator: "\n")
            let numbers = body.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
            let score = Double(numbers.reduce(0, +))
            let valid = body.utf8.reduce(0) { $0 + Int($1) } % 4 != 0
            return EvaluatedChild(valid: valid, score: valid ? score : nil, fitness: valid ? -score : nil,
                                  rejectedAt: valid ? nil : "coarse",
                                  evaluations: [EvaluationRecord(stage: "fine", status: valid ? "passed" : "rejected",
                                                                 metrics: "{\"mean_cost\":\(score)}", artifacts: "[]", seconds: 0,
                                                                 failureKind: valid ? nil : "rejected",
                                                                 failureMessage: valid ? nil : "byte sum \(score) divisible by 4")],
                                  metrics: valid ? ["mean_cost": score, "lines": Double(body.split(separator: "\n").count)] : [:])
        }
    }

    private func store() throws -> ProgramStore {
        let folder = TestPaths.sessionFolder.appendingPathComponent("sim-cascade-loop-\(UUID().uuidString)")
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

    private func uninterrupted(_ iterations: Int, settings: EvolutionSettings? = nil) throws -> [String] {
        let s = try store()
        let loop = try EvolutionLoop.start(store: s, runID: "r", settings: settings ?? self.settings, initial: CandidateProblem.spot.template,
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
        // The stage's failure is named: its kind and message.
        #expect(throws: EvolveError.invalidInitial("stopped at coarse: rejected: byte sum 5.0 divisible by 4")) {
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
        final class Once: @unchecked Sendable { var crashed = false }
        let once = Once()
        let base = Self.fakeEvaluate(Counter())
        let resumed = try EvolutionLoop.resume(store: s, runID: "r", evaluate: { source, references in
            if !once.crashed, (try s.run(id: "r")?.iteration ?? 0) >= 16 { once.crashed = true; throw Crash() }
            return try base(source, references)
        })
        #expect(throws: Crash.self) { try resumed.run(until: 24) }
        try EvolutionLoop.resume(store: s, runID: "r", evaluate: Self.fakeEvaluate(Counter())).run(until: 24)
        #expect(try snapshot(s) == (try uninterrupted(24)))
    }

    @Test func withWorkersTheStoreDependsOnTheSeedAndWorkerCountNotOnTiming() throws {
        var parallel = settings
        parallel.workers = 3
        let reference = try uninterrupted(30, settings: parallel)
        for _ in 0..<2 {
            let s = try store()
            let loop = try EvolutionLoop.start(store: s, runID: "r", settings: parallel, initial: CandidateProblem.spot.template,
                                               evaluate: Self.fakeEvaluate(Counter(), jitter: true))
            try loop.run(until: 13)
            // Stopped mid-run and resumed (the resume re-proposes the iterations that were in flight).
            try EvolutionLoop.resume(store: s, runID: "r", evaluate: Self.fakeEvaluate(Counter(), jitter: true)).run(until: 30)
            #expect(try snapshot(s) == reference)
        }
        #expect(reference != (try uninterrupted(30)), "proposals with 3 workers see older iterations than with 1")
    }

    /// A stand-in for a paid generator: each call costs 0.1 $ at worst and 0.07 $ in fact.
    struct PricedGenerator: ProgramGenerator {
        var offline = OfflineGenerator(seed: 0)
        var rng: SeededGenerator { get { offline.rng } set { offline.rng = newValue } }
        func worstCaseCostUSD(_ request: GenerationRequest) -> Double { 0.1 }
        mutating func propose(_ request: GenerationRequest) throws -> GenerationResponse {
            var response = try offline.propose(request)
            response.costUSD = 0.07
            return response
        }
    }

    @Test func theRunStopsBeforeACallThatCouldPassTheBudget() throws {
        var priced = settings
        priced.budgetUSD = 1.0
        let s = try store()
        let loop = try EvolutionLoop.start(store: s, runID: "r", settings: priced, initial: CandidateProblem.spot.template,
                                           generator: PricedGenerator(), evaluate: Self.fakeEvaluate(Counter()))
        #expect(try loop.run(until: 100) == .costBudget)
        // 13 calls spend 0.91 $; a 14th could cost 0.1 $ more than the 0.09 $ left.
        #expect(loop.completed == 13 && abs(loop.spent - 0.91) < 1e-9)
        let resumed = try EvolutionLoop.resume(store: s, runID: "r", generator: PricedGenerator(), evaluate: Self.fakeEvaluate(Counter()))
        #expect(try resumed.run(until: 100) == .costBudget && resumed.completed == 13)
    }

    @Test func aPassedDeadlineStartsNoNewIteration() throws {
        let s = try store()
        let loop = try EvolutionLoop.start(store: s, runID: "r", settings: settings, initial: CandidateProblem.spot.template,
                                           evaluate: Self.fakeEvaluate(Counter()))
        #expect(try loop.run(until: 50, deadline: Date()) == .timeBudget)
        #expect(loop.completed == 0)
        #expect(try loop.run(until: 5, deadline: Date().addingTimeInterval(60)) == .iterations && loop.completed == 5)
    }

    @Test func featureDimensionsAreConfigurableAndAnUnknownMetricIsRefused() throws {
        var custom = settings
        custom.selection.features = ["lines", "score", "length"]
        custom.selection.bins = [4, 5]
        let s = try store()
        let loop = try EvolutionLoop.start(store: s, runID: "r", settings: custom, initial: CandidateProblem.spot.template,
                                           evaluate: Self.fakeEvaluate(Counter()))
        try loop.run(until: 10)
        for p in try s.programs(run: "r") where p.valid {
            let values = try JSONDecoder().decode([Double].self, from: Data(p.features!.utf8))
            #expect(values.count == 3 && values[2] == Double(p.normalized.count))
            let cell = p.featureCell!.split(separator: ",").compactMap { Int($0) }
            #expect(cell.count == 3 && cell[0] < 4 && cell[1] < 5 && cell[2] < 10)
        }
        let ranges = try JSONDecoder().decode(FeatureRanges.self, from: Data(try s.run(id: "r")!.featureRanges.utf8))
        #expect(ranges.low.count == 3)

        custom.selection.features = ["length", "p99_latency"]
        #expect(throws: EvolveError.self) {
            try EvolutionLoop.start(store: try store(), runID: "r", settings: custom, initial: CandidateProblem.spot.template,
                                    evaluate: Self.fakeEvaluate(Counter()))
        }
    }

    @Test func theSelectionComesFromTheConfigFileAndIsChecked() throws {
        let folder = TestPaths.sessionFolder.appendingPathComponent("sim-cascade-selection-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("config.json")
        try #"{"selection": {"islands": 5, "features": ["length", "std_cost"], "migration_interval": 4, "exploration": 0.3}}"#
            .write(to: file, atomically: true, encoding: .utf8)
        let selection = try #require(try OpenAIConfig.selection(from: file))
        #expect(selection.islands == 5 && selection.features == ["length", "std_cost"] && selection.migrationInterval == 4)
        #expect(selection.exploration == 0.3 && selection.exploitation == 0.7 && selection.bins == [10, 10])
        try #"{"base_url": "http://127.0.0.1:1/v1", "models": [{"name": "m"}]}"#.write(to: file, atomically: true, encoding: .utf8)
        #expect(try OpenAIConfig.selection(from: file) == nil)
        try #"{"selection": {"exploration": 0.5, "exploitation": 0.7}}"#.write(to: file, atomically: true, encoding: .utf8)
        #expect(throws: EvolveError.self) { try OpenAIConfig.selection(from: file) }
        // A misplaced or misspelt key is an error, not a setting silently ignored.
        for (text, message) in [(#"{"islands": 2}"#, "selection settings go in a \"selection\" object"),
                                (#"{"selection": {"islandz": 2}}"#, "unknown key 'selection.islandz'")] {
            try text.write(to: file, atomically: true, encoding: .utf8)
            #expect(throws: EvolveError.self) { try OpenAIConfig.selection(from: file) }
            do { _ = try OpenAIConfig.selection(from: file) } catch { #expect("\(error)".contains(message), "\(error)") }
        }
    }

    /// Shows its request's recent errors as its prompt (stored with each call), and gives up
    /// with `generatorUnavailable` at its `failAt`-th call.
    struct EchoGenerator: ProgramGenerator {
        var offline = OfflineGenerator(seed: 0)
        var failAt = Int.max
        var calls = 0
        var rng: SeededGenerator { get { offline.rng } set { offline.rng = newValue } }
        func promptText(_ request: GenerationRequest) -> String { request.lastErrors.joined(separator: " | ") }
        mutating func propose(_ request: GenerationRequest) throws -> GenerationResponse {
            calls += 1
            if calls == failAt { throw EvolveError.generatorUnavailable("gone") }
            return try offline.propose(request)
        }
    }

    @Test func theErrorsShownToTheGeneratorAreTheSameAfterAResume() throws {
        let prompts = { (s: ProgramStore) in try s.calls(run: "r").map { "\($0.iteration): \($0.prompt)" } }
        let a = try store()
        try EvolutionLoop.start(store: a, runID: "r", settings: settings, initial: CandidateProblem.spot.template,
                                generator: EchoGenerator(), evaluate: Self.fakeEvaluate(Counter())).run(until: 40)
        let b = try store()
        try EvolutionLoop.start(store: b, runID: "r", settings: settings, initial: CandidateProblem.spot.template,
                                generator: EchoGenerator(), evaluate: Self.fakeEvaluate(Counter())).run(until: 17)
        try EvolutionLoop.resume(store: b, runID: "r", generator: EchoGenerator(), evaluate: Self.fakeEvaluate(Counter())).run(until: 40)
        #expect(try prompts(a) == prompts(b))
        #expect(try prompts(a).contains { $0.contains("fine: ") || $0.contains("duplicate") }, "some errors were shown")
    }

    @Test func whenTheGeneratorBecomesUnavailableTheCallsInFlightAreKept() throws {
        var parallel = settings
        parallel.workers = 3
        let s = try store()
        let loop = try EvolutionLoop.start(store: s, runID: "r", settings: parallel, initial: CandidateProblem.spot.template,
                                           generator: EchoGenerator(failAt: 9), evaluate: Self.fakeEvaluate(Counter()))
        #expect(throws: EvolveError.generatorUnavailable("gone")) { try loop.run(until: 30) }
        // Calls 1…8 were made: all of them are committed, none is lost.
        #expect(try s.run(id: "r")?.iteration == 8 && s.calls(run: "r").count == 8 && loop.completed == 8)
    }
}
