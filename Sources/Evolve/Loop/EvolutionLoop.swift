import Cascade
import Foundation
import Sim

/// What the trusted evaluator said about a child, as the loop needs it.
public struct EvaluatedChild: Sendable {
    /// Passed every stage (only such children may become parents).
    public var valid: Bool
    /// The fine level's primary metric, and the same oriented so that higher is better.
    public var score: Double?
    public var fitness: Double?
    public var rejectedAt: String?
    public var evaluations: [EvaluationRecord]

    public init(valid: Bool, score: Double?, fitness: Double?, rejectedAt: String?, evaluations: [EvaluationRecord]) {
        self.valid = valid
        self.score = score
        self.fitness = fitness
        self.rejectedAt = rejectedAt
        self.evaluations = evaluations
    }
}

/// The settings a run is started with; stored in the run so a resume needs none of them.
public struct EvolutionSettings: Codable, Sendable, Equatable {
    public var problem: String
    public var seed: UInt64
    public var selection: SelectionConfig

    public init(problem: String, seed: UInt64, selection: SelectionConfig = SelectionConfig()) {
        self.problem = problem
        self.seed = seed
        self.selection = selection
    }
}

/// The loop's own state, committed with every iteration: both random streams and the migrants.
struct LoopState: Codable, Equatable {
    var generator: [UInt64]
    var selection: [UInt64]
    var migrants: [[Int64]]  // [program id, island]

    static func words(_ g: SeededGenerator) -> [UInt64] { [g.state.0, g.state.1, g.state.2, g.state.3] }

    /// Sorted keys: the same state is the same text, so stores compare equal. Infinities (the
    /// ranges of a dimension nothing has reached yet) are written as strings.
    static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return encoder
    }

    static var decoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return decoder
    }
    static func generator(_ w: [UInt64]) -> SeededGenerator { SeededGenerator(state: (w[0], w[1], w[2], w[3])) }
}

/// One iteration, as the progress line and the tests see it.
public struct IterationSummary: Sendable {
    public var iteration: Int
    public var program: ProgramRecord?
    public var error: String?
}

/// Propose a child of a selected parent, evaluate it through the trusted cascade, keep it — one
/// transaction per iteration, so a run stopped at any moment resumes exactly where the last
/// committed iteration left it, with no duplicate and no lost program. After an iteration
/// throws, resume from the store with a new loop (this one's random streams have moved on).
public final class EvolutionLoop {
    let store: ProgramStore
    let runID: String
    var settings: EvolutionSettings
    var generator: OfflineGenerator
    var selectionRNG: SeededGenerator
    var migrants: [(id: Int64, island: Int)]
    var ranges: FeatureRanges
    var iteration: Int
    /// The run's programs in id order: read once, then kept in step with every commit (the loop
    /// is the store's only writer), so an iteration reads no program back from disk.
    var programs: [ProgramRecord]
    let evaluate: (String) throws -> EvaluatedChild
    /// Called inside each iteration's transaction before it commits (tests simulate crashes).
    public var beforeCommit: (Int) throws -> Void = { _ in }

    /// Starts a run: evaluates `initial` and commits the run with it as iteration 0, in one
    /// transaction (a stop before that leaves no run behind).
    /// - Throws: `EvolveError.invalidInitial` when `initial` does not pass every stage.
    public static func start(store: ProgramStore, runID: String, settings: EvolutionSettings, initial: String,
                             evaluate: @escaping (String) throws -> EvaluatedChild) throws -> EvolutionLoop {
        let config = String(decoding: try LoopState.encoder.encode(settings), as: UTF8.self)
        let loop = EvolutionLoop(store: store, runID: runID, settings: settings, evaluate: evaluate,
                                 generator: OfflineGenerator(seed: settings.seed),
                                 selectionRNG: SeededGenerator(seed: settings.seed ^ 0x5E1E_C710_0000_0001),
                                 migrants: [], ranges: FeatureRanges(dimensions: 2), iteration: 0)
        let evaluated = try evaluate(initial)
        guard evaluated.valid, evaluated.fitness != nil else {
            throw EvolveError.invalidInitial(evaluated.rejectedAt.map { "stopped at \($0)" } ?? "no score")
        }
        var program = ProgramRecord(runId: runID, iteration: 0, source: initial, parentId: nil, island: 0, generation: 0,
                                    generator: "initial", edit: "", valid: evaluated.valid, score: evaluated.score,
                                    rejectedAt: evaluated.rejectedAt)
        if evaluated.valid, let fitness = evaluated.fitness {
            loop.ranges.include(loop.features(program, fitness: fitness))
            program.featureCell = loop.cellText(program, fitness: fitness)
        }
        try loop.commit(call: nil, program: program, evaluations: evaluated.evaluations,
                        creating: RunRecord(id: runID, problem: settings.problem, seed: Int64(bitPattern: settings.seed), config: config))
        return loop
    }

    /// Resumes the run `runID` of `store` after its last committed iteration.
    public static func resume(store: ProgramStore, runID: String,
                              evaluate: @escaping (String) throws -> EvaluatedChild) throws -> EvolutionLoop {
        guard let run = try store.run(id: runID) else { throw EvolveError.noRun("no run \(runID) in this store") }
        let settings = try JSONDecoder().decode(EvolutionSettings.self, from: Data(run.config.utf8))
        let state = try LoopState.decoder.decode(LoopState.self, from: Data(run.rngState.utf8))
        let ranges = try LoopState.decoder.decode(FeatureRanges.self, from: Data(run.featureRanges.utf8))
        return EvolutionLoop(store: store, runID: runID, settings: settings, evaluate: evaluate,
                             generator: OfflineGenerator(rng: LoopState.generator(state.generator)),
                             selectionRNG: LoopState.generator(state.selection),
                             migrants: state.migrants.map { ($0[0], Int($0[1])) }, ranges: ranges, iteration: run.iteration,
                             programs: try store.programs(run: runID))
    }

    init(store: ProgramStore, runID: String, settings: EvolutionSettings, evaluate: @escaping (String) throws -> EvaluatedChild,
         generator: OfflineGenerator, selectionRNG: SeededGenerator, migrants: [(id: Int64, island: Int)], ranges: FeatureRanges,
         iteration: Int, programs: [ProgramRecord] = []) {
        self.store = store
        self.runID = runID
        self.settings = settings
        self.evaluate = evaluate
        self.generator = generator
        self.selectionRNG = selectionRNG
        self.migrants = migrants
        self.ranges = ranges
        self.iteration = iteration
        self.programs = programs
    }

    /// The iterations committed so far.
    public var completed: Int { iteration }

    /// Runs iterations until `total` have been committed.
    public func run(until total: Int, progress: (IterationSummary) -> Void = { _ in }) throws {
        while iteration < total { progress(try step()) }
    }

    /// One iteration: select, propose, apply, de-duplicate, evaluate, commit. If it throws, the
    /// random streams are put back, so the loop stands where a resume would find it.
    func step() throws -> IterationSummary {
        let (savedGenerator, savedSelection) = (generator, selectionRNG)
        do {
            return try stepUnchecked()
        } catch {
            (generator, selectionRNG) = (savedGenerator, savedSelection)
            throw error
        }
    }

    func stepUnchecked() throws -> IterationSummary {
        let next = iteration + 1
        let population = Population(individuals: individuals(programs), migrations: migrants, ranges: ranges,
                                    config: settings.selection)
        let island = (next - 1) % max(settings.selection.islands, 1)
        let parent = population.parent(island: island, rng: &selectionRNG).flatMap { p in programs.first { $0.id == p.id } }
            ?? programs.first { $0.valid }!  // the initial program is valid (see `start`)
        let inspirations = population.inspirations(island: island, excluding: parent.id ?? -1)
            .compactMap { i in programs.first { $0.id == i.id }?.source }
        let request = GenerationRequest(problem: try CandidateProblem(named: settings.problem), parent: parent.source,
                                        inspirations: inspirations)
        var call = GeneratorCallRecord(runId: runID, iteration: next, model: "offline", prompt: "", response: "")
        let child: String
        do {
            let response = try generator.propose(request)
            call.model = response.model
            call.response = response.text
            child = try EditApplier.apply(try EditParser.parse(response.text), to: parent.source)
        } catch {
            call.error = "\(error)"
            try commit(call: call, program: nil, evaluations: [])
            return IterationSummary(iteration: next, program: nil, error: call.error)
        }
        if let twin = try store.program(sameAs: child, run: runID) {
            call.error = "duplicate of program \(twin.id ?? 0): not evaluated again"
            try commit(call: call, program: nil, evaluations: [])
            return IterationSummary(iteration: next, program: nil, error: call.error)
        }
        let evaluated = try evaluate(child)
        var program = ProgramRecord(runId: runID, iteration: next, source: child, parentId: parent.id, island: island,
                                    generation: parent.generation + 1, generator: call.model, edit: call.response,
                                    valid: evaluated.valid, score: evaluated.score, rejectedAt: evaluated.rejectedAt)
        var newRanges = ranges
        if evaluated.valid, let fitness = evaluated.fitness {
            newRanges.include(features(program, fitness: fitness))
        }
        let saved = ranges
        ranges = newRanges
        if evaluated.valid, let fitness = evaluated.fitness { program.featureCell = cellText(program, fitness: fitness) }
        do {
            let stored = try commit(call: call, program: program, evaluations: evaluated.evaluations)
            return IterationSummary(iteration: next, program: stored, error: nil)
        } catch {
            ranges = saved
            throw error
        }
    }

    /// Commits one iteration with the loop's state; the migrants and the iteration count advance
    /// only if the transaction did.
    @discardableResult
    func commit(call: GeneratorCallRecord?, program: ProgramRecord?, evaluations: [EvaluationRecord],
                creating newRun: RunRecord? = nil) throws -> ProgramRecord? {
        let next = program?.iteration ?? call?.iteration ?? iteration
        var pendingMigrants = migrants
        if next > 0, next % max(settings.selection.migrationInterval, 1) == 0 {
            // Among the programs committed before this iteration (the child has no id yet).
            let population = Population(individuals: individuals(programs), migrations: migrants,
                                        ranges: ranges, config: settings.selection)
            // A program already on an island (native or migrated) is not copied there again.
            for move in population.migrations(generation: next)
            where !population.members(island: move.island).contains(where: { $0.id == move.id }) {
                pendingMigrants.append(move)
            }
        }
        let state = LoopState(generator: LoopState.words(generator.rng), selection: LoopState.words(selectionRNG),
                              migrants: pendingMigrants.map { [$0.id, Int64($0.island)] })
        let stateText = String(decoding: try LoopState.encoder.encode(state), as: UTF8.self)
        let rangesText = String(decoding: try LoopState.encoder.encode(ranges), as: UTF8.self)
        let stored = try store.commit(IterationCommit(call: call, program: program, evaluations: evaluations, rngState: stateText,
                                                      featureRanges: rangesText),
                                      run: runID, iteration: next, creating: newRun) { try beforeCommit(next) }
        migrants = pendingMigrants
        if let stored { programs.append(stored) }
        iteration = next
        return stored
    }

    /// Valid programs as individuals.
    func individuals(_ programs: [ProgramRecord]) -> [Individual] {
        programs.compactMap { p in
            guard p.valid, let id = p.id, let fitness = fitnessOf(p) else { return nil }
            return Individual(id: id, island: p.island, fitness: fitness, features: features(p, fitness: fitness))
        }
    }

    /// Fitness from the stored score (the score's direction is the problem's).
    func fitnessOf(_ p: ProgramRecord) -> Double? {
        p.score.map { FitnessMetric.of(settings.problem).lowerIsBetter ? -$0 : $0 }
    }

    /// The default feature dimensions: program length and the fine metric.
    func features(_ p: ProgramRecord, fitness: Double) -> [Double] { [Double(p.normalized.count), fitness] }

    func cellText(_ p: ProgramRecord, fitness: Double) -> String {
        let population = Population(individuals: [], ranges: ranges, config: settings.selection)
        return population.cell(of: Individual(id: 0, island: p.island, fitness: fitness, features: features(p, fitness: fitness)))
            .map(String.init).joined(separator: ",")
    }
}

/// Each problem's fine-level score and which way is better.
public enum FitnessMetric {
    public static func of(_ problem: String) -> (name: String, lowerIsBetter: Bool) {
        switch problem {
        case "spot": return ("mean_cost", true)
        case "txn": return ("total_makespan", true)
        case "prefix": return ("block_hit_rate", false)
        default: return ("throughput", false)
        }
    }
}
