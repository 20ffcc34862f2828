import Cascade
import Foundation
import SimCore

/// Propose a child of a selected parent, evaluate it through the trusted cascade, keep it — one
/// transaction per iteration, so a run stopped at any moment resumes exactly where the last
/// committed iteration left it, with no duplicate and no lost program.
///
/// With `workers` W, up to W evaluations run at once and overlap the next proposals, but
/// proposal i sees only iterations ≤ i − W (their programs, feature ranges and migrants) and
/// results are committed in iteration order, so the store does not depend on timing. After
/// `run` throws, the loop stands where a resume would find it and may be run again.
public final class EvolutionLoop {
    let store: ProgramStore
    let runID: String
    let settings: EvolutionSettings
    let problem: CandidateProblem
    /// Scores a child; the dictionary is, per gated level, the reference its gate compares with
    /// in place of the level's reference policy's (empty: the levels' own).
    let evaluate: @Sendable (String, [String: Double]) throws -> EvaluatedChild
    /// The gate references of a child of `parent` (parent-relative gates), read when its
    /// evaluation is started; `nil`: every gate keeps its level's reference.
    public var gateReferences: ((ProgramRecord?) throws -> [String: Double])?
    /// Called inside each iteration's transaction before it commits (tests simulate crashes).
    public var beforeCommit: (Int) throws -> Void = { _ in }

    // Committed state (what the store holds), advanced only by `commit`.
    var iteration: Int
    /// The run's programs in id (= iteration) order, kept in step with every commit.
    var programs: [ProgramRecord]
    /// `programs[k]` as selection sees it (nil when invalid), built once per program: a
    /// proposal then reads no feature JSON back.
    var individualOf: [Individual?] = []
    /// Feature ranges and migrants after each of the last W committed iterations.
    var states: [Int: CommittedState]
    /// Normalised source → the iteration that produced it, for every committed program.
    var seen: [String: Int]
    var errors: [(iteration: Int, text: String)]
    var spentUSD: Double
    var committedStreams: (generator: SeededGenerator, selection: SeededGenerator)

    // Proposal state, ahead of the committed state by the proposals in flight.
    var generator: any ProgramGenerator
    var selectionRNG: SeededGenerator

    struct CommittedState {
        var ranges: FeatureRanges
        var migrants: [(id: Int64, island: Int)]
    }

    init(store: ProgramStore, runID: String, settings: EvolutionSettings, generator: any ProgramGenerator,
         selectionRNG: SeededGenerator, evaluate: @escaping @Sendable (String, [String: Double]) throws -> EvaluatedChild, iteration: Int,
         programs: [ProgramRecord], states: [Int: CommittedState], errors: [(Int, String)], spentUSD: Double) throws {
        self.store = store
        self.runID = runID
        self.settings = settings
        self.problem = try CandidateProblem(named: settings.problem)
        self.evaluate = evaluate
        self.generator = generator
        self.selectionRNG = selectionRNG
        self.iteration = iteration
        self.programs = programs
        self.states = states
        self.seen = Dictionary(programs.map { ($0.normalized, $0.iteration) }, uniquingKeysWith: min)
        self.errors = errors.map { (iteration: $0.0, text: $0.1) }
        self.spentUSD = spentUSD
        self.committedStreams = (generator.rng, selectionRNG)
        self.individualOf = programs.map(individual)
    }

    /// Starts a run: evaluates `initial` and commits the run with it as iteration 0, in one
    /// transaction (a stop before that leaves no run behind). `generator`'s stream is reseeded
    /// from the settings' seed.
    /// - Throws: `EvolveError.invalidInitial` when `initial` does not pass every stage.
    public static func start(store: ProgramStore, runID: String, settings: EvolutionSettings, initial: String,
                             generator: any ProgramGenerator = OfflineGenerator(seed: 0),
                             evaluate: @escaping @Sendable (String, [String: Double]) throws -> EvaluatedChild) throws -> EvolutionLoop {
        var generator = generator
        generator.rng = SeededGenerator(seed: settings.seed)
        let loop = try EvolutionLoop(store: store, runID: runID, settings: settings, generator: generator,
                                     selectionRNG: SeededGenerator(seed: settings.seed ^ 0x5E1E_C710_0000_0001),
                                     evaluate: evaluate, iteration: -1, programs: [],
                                     states: [-1: CommittedState(ranges: FeatureRanges(dimensions: settings.selection.features.count), migrants: [])],
                                     errors: [], spentUSD: 0)
        let evaluated = try evaluate(initial, [:])
        guard evaluated.valid, evaluated.fitness != nil else {
            // The stage's failure says why (its message is the candidate's text, already escaped).
            let failure = evaluated.evaluations.last { $0.failureKind != nil }
                .map { ": \($0.failureKind ?? ""): \(String(($0.failureMessage ?? "").prefix(300)))" } ?? ""
            throw EvolveError.invalidInitial((evaluated.rejectedAt.map { "stopped at \($0)" } ?? "no score") + failure)
        }
        let unknown = settings.selection.features.filter { !["length", "score"].contains($0) && evaluated.metrics[$0] == nil }
        guard unknown.isEmpty else {
            throw EvolveError.config("selection: no fine-level metric \(unknown.map { Escaped.value($0) }.joined(separator: ", ")); the fine level reports "
                + (["length", "score"] + evaluated.metrics.keys.sorted()).joined(separator: ", "))
        }
        let proposal = Proposal(iteration: 0, parent: nil, island: 0, call: nil, child: initial,
                                streams: (generator.rng, loop.selectionRNG))
        try loop.commit(proposal, evaluated,
                        creating: RunRecord(id: runID, problem: settings.problem, seed: Int64(bitPattern: settings.seed),
                                            config: try LoopState.text(settings)))
        return loop
    }

    /// Resumes the run `runID` of `store` after its last committed iteration. `generator` must
    /// be of the kind the run was started with; its stream is restored from the store.
    public static func resume(store: ProgramStore, runID: String, generator: any ProgramGenerator = OfflineGenerator(seed: 0),
                              evaluate: @escaping @Sendable (String, [String: Double]) throws -> EvaluatedChild) throws -> EvolutionLoop {
        do {
            return try resumeDecoded(store: store, runID: runID, generator: generator, evaluate: evaluate)
        } catch let error as DecodingError {
            // The row hashes passed, so the writer itself stored this: still one line, never a trap.
            throw EvolveError.store(path: store.path, problem: "the run's saved state does not decode (\(Escaped.value(JSONFile.describe(error))))")
        }
    }

    private static func resumeDecoded(store: ProgramStore, runID: String, generator: any ProgramGenerator,
                                      evaluate: @escaping @Sendable (String, [String: Double]) throws -> EvaluatedChild) throws -> EvolutionLoop {
        guard let run = try store.run(id: runID) else { throw EvolveError.noRun("no run \(runID) in this store") }
        let settings = try JSONDecoder().decode(EvolutionSettings.self, from: Data(run.config.utf8))
        guard EvolutionSettings.workerRange.contains(settings.workers) else {
            throw EvolveError.store(path: store.path, problem: "the run's settings hold \(settings.workers) workers")
        }
        do { try settings.selection.validate() } catch {
            throw EvolveError.store(path: store.path, problem: "the run's settings do not validate (\(error))")
        }
        let rows = try store.iterationStates(run: runID, from: max(0, run.iteration - settings.workers))
        var states: [Int: CommittedState] = [:]
        for (i, row) in rows {
            let loopState = try LoopState.decoder.decode(LoopState.self, from: Data(row.loopState.utf8))
            states[i] = CommittedState(ranges: try LoopState.decoder.decode(FeatureRanges.self, from: Data(row.featureRanges.utf8)),
                                       migrants: loopState.migrants.map { ($0[0], Int($0[1])) })
        }
        guard states[run.iteration] != nil else { throw EvolveError.noRun("the store holds no state for iteration \(run.iteration)") }
        let last = try LoopState.decoder.decode(LoopState.self, from: Data(run.rngState.utf8))
        var generator = generator
        generator.rng = LoopState.generator(last.generator)
        let programs = try store.programs(run: runID)
        let calls = try store.calls(run: runID)
        let errors = try store.failures(run: runID).map { ($0.iteration, $0.text) }
        return try EvolutionLoop(store: store, runID: runID, settings: settings, generator: generator,
                                 selectionRNG: LoopState.generator(last.selection), evaluate: evaluate, iteration: run.iteration,
                                 programs: programs, states: states, errors: errors,
                                 spentUSD: calls.reduce(0) { $0 + $1.costUSD })
    }

    /// The iterations committed so far (the initial program is iteration 0).
    public var completed: Int { iteration }
    /// The generator's committed spend, in US dollars.
    public var spent: Double { spentUSD }

    /// Runs iterations until `total` have been committed, the clock passes `deadline`, or the
    /// next generator call could pass the run's budget; evaluations already started are always
    /// finished and committed (an evaluation over its budget is killed by the sandbox).
    @discardableResult
    public func run(until total: Int, deadline: Date? = nil,
                    progress: (IterationSummary) -> Void = { _ in }) throws -> StopReason {
        let workers = max(1, settings.workers)
        var inFlight: [(proposal: Proposal, job: EvaluationJob?)] = []
        var stop: StopReason?
        do {
            while true {
                while stop == nil, inFlight.count < workers, iteration + inFlight.count < total {
                    if let deadline, Date() >= deadline { stop = .timeBudget; break }
                    let next: Proposal?
                    do {
                        next = try propose(iteration + inFlight.count + 1, inFlight: inFlight.map(\.proposal))
                    } catch {
                        // The calls in flight were made (and maybe paid for): keep them before stopping.
                        while !inFlight.isEmpty {
                            let (proposal, job) = inFlight.removeFirst()
                            progress(try commit(proposal, try job?.result()))
                        }
                        throw error
                    }
                    guard let proposal = next else {
                        stop = .costBudget
                        break
                    }
                    let references = try proposal.child == nil ? [:] : gateReferences?(proposal.parent) ?? [:]
                    let job = proposal.child.map { child in
                        EvaluationJob(concurrent: workers > 1) { [evaluate] in try evaluate(child, references) }
                    }
                    inFlight.append((proposal, job))
                }
                guard !inFlight.isEmpty else { break }
                let (proposal, job) = inFlight.removeFirst()
                progress(try commit(proposal, try job?.result()))
            }
        } catch {
            for (_, job) in inFlight { _ = try? job?.result() }  // never abandon an evaluation
            (generator.rng, selectionRNG) = committedStreams
            throw error
        }
        // A proposal refused by the budget drew from the streams; a later run starts where a resume would.
        (generator.rng, selectionRNG) = committedStreams
        return stop ?? .iterations
    }

    /// Commits one iteration with the loop's state after it; the committed state advances only
    /// if the transaction did.
    @discardableResult
    func commit(_ proposal: Proposal, _ evaluated: EvaluatedChild?, creating newRun: RunRecord? = nil) throws -> IterationSummary {
        let i = proposal.iteration
        guard let previous = states[i - 1] else { preconditionFailure("iteration \(i) committed out of order") }
        var next = previous
        var program: ProgramRecord?
        if let child = proposal.child, let evaluated {
            var p = ProgramRecord(runId: runID, iteration: i, source: child, parentId: proposal.parent?.id, island: proposal.island,
                                  generation: (proposal.parent?.generation ?? -1) + 1, generator: proposal.call?.model ?? "initial",
                                  edit: proposal.call?.response ?? "", valid: evaluated.valid, score: evaluated.score,
                                  rejectedAt: evaluated.rejectedAt)
            if evaluated.valid, let fitness = evaluated.fitness {
                let values = featureValues(normalized: p.normalized, fitness: fitness, metrics: evaluated.metrics)
                p.features = try LoopState.text(values)
                next.ranges.include(values)
                p.featureCell = Population(individuals: [], ranges: next.ranges, config: settings.selection)
                    .cell(of: Individual(id: 0, island: p.island, fitness: fitness, features: values)).map(String.init).joined(separator: ",")
            }
            program = p
        }
        if i > 0, i % max(settings.selection.migrationInterval, 1) == 0 {
            // Among the programs committed before this iteration.
            let population = Population(individuals: individualOf.compactMap { $0 }, migrations: previous.migrants,
                                        ranges: previous.ranges, config: settings.selection)
            // A program already on an island (native or migrated) is not copied there again.
            for move in population.migrations(generation: i)
            where !population.members(island: move.island).contains(where: { $0.id == move.id }) {
                next.migrants.append(move)
            }
        }
        let state = LoopState(generator: LoopState.words(proposal.streams.generator), selection: LoopState.words(proposal.streams.selection),
                              migrants: next.migrants.map { [$0.id, Int64($0.island)] })
        let stored = try store.commit(IterationCommit(call: proposal.call, program: program, evaluations: evaluated?.evaluations ?? [],
                                                      rngState: try LoopState.text(state), featureRanges: try LoopState.text(next.ranges)),
                                      run: runID, iteration: i, creating: newRun) { try beforeCommit(i) }
        iteration = i
        states[i] = next
        states[i - max(1, settings.workers) - 1] = nil
        committedStreams = proposal.streams
        spentUSD += proposal.call?.costUSD ?? 0
        if let stored {
            programs.append(stored)
            individualOf.append(individual(stored))
            seen[stored.normalized] = seen[stored.normalized] ?? i
        }
        if let error = proposal.call?.error { errors.append((i, error)) }
        if let failure = evaluated?.evaluations.last(where: { $0.failureMessage != nil && !$0.isCounterfactual }) {
            errors.append((i, "\(failure.stage): \(failure.failureMessage ?? "")"))
        }
        return IterationSummary(iteration: i, program: stored, error: proposal.call?.error, spentUSD: spentUSD)
    }

    /// A valid program as an individual.
    func individual(_ p: ProgramRecord) -> Individual? {
        guard p.valid, let id = p.id, let fitness = fitnessOf(p) else { return nil }
        return Individual(id: id, island: p.island, fitness: fitness, features: features(p, fitness: fitness))
    }

    /// Fitness from the stored score (the score's direction is the problem's).
    func fitnessOf(_ p: ProgramRecord) -> Double? {
        p.score.map { settings.fitness(of: problem).lowerIsBetter ? -$0 : $0 }
    }

    /// The values of the run's feature dimensions (see `SelectionConfig.features`); a metric the
    /// fine level did not report is NaN, which bins to 0.
    func featureValues(normalized: String, fitness: Double, metrics: [String: Double]) -> [Double] {
        settings.selection.features.map { name in
            switch name {
            case "length": return Double(normalized.count)
            case "score": return fitness
            default: return metrics[name] ?? .nan
            }
        }
    }

    /// A stored program's feature values (runs stored before they were kept: length and score).
    func features(_ p: ProgramRecord, fitness: Double) -> [Double] {
        if let text = p.features, let values = try? LoopState.decoder.decode([Double].self, from: Data(text.utf8)) { return values }
        return featureValues(normalized: p.normalized, fitness: fitness, metrics: [:])
    }
}

/// One evaluation, run on its own thread or at once.
final class EvaluationJob: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var outcome: Result<EvaluatedChild, Error>?  // written once, before `done` is signalled

    init(concurrent: Bool, _ work: @escaping @Sendable () throws -> EvaluatedChild) {
        guard concurrent else {
            outcome = Result { try work() }
            done.signal()
            return
        }
        Thread.detachNewThread { [self] in
            outcome = Result { try work() }
            done.signal()
        }
    }

    /// Waits for the evaluation; may be called more than once.
    func result() throws -> EvaluatedChild {
        done.wait()
        defer { done.signal() }
        return try outcome!.get()
    }
}
