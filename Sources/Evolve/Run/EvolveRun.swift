import Cascade
import Foundation
import SimCore

/// What an `evolve` run is asked for: a folder and, for a new run, its settings. Options that
/// a resumed run fixed (seed, islands, workers, budget, generator, initial program) are checked
/// against the stored run.
public struct EvolveRequest: Sendable {
    public var folder: URL
    /// The problem named on the command line (a new run without one evolves the default).
    public var problem: CandidateProblem?
    public var resume = false
    /// Iterations to reach, counting a resumed run's.
    public var iterations = 100
    public var deadline: Date?
    public var seed: UInt64?
    public var workers: Int?
    public var budgetUSD: Double?
    /// `offline` or `openai`.
    public var generator: String?
    public var initialFile: URL?
    public var configFile: URL?
    public var recordFolder: URL?
    public var islands: Int?
    /// The problem's input settings for the search inputs (e.g. EPLB's shape overrides).
    public var inputSettings: [String: String] = [:]
    /// Re-score the best program on the held-out inputs at the end.
    public var rescore = true
    /// The share of stopped children also run through the fine level alone (default
    /// `CounterfactualSampling.defaultShare`, or the resumed run's).
    public var counterfactual: Double?
    /// `initial` (the levels' reference policy, as `eval`) or `parent`; default: the gates
    /// file's `gates_relative_to`, else `initial`.
    public var gateReference: String?
    /// A gates file (`--gates`), e.g. an earlier run's `evolve-gates.json`.
    public var gatesFile: URL?
    /// Where the evaluations run (not stored: the same run may resume on another executor).
    public var executor: ExecutorChoice = .local

    public init(folder: URL) {
        self.folder = folder
    }
}

/// An `evolve` run from start to report, under the run folder's lock: create or resume checks,
/// the loop, re-scoring, and `best.swift`, `report.md`, `progress.svg`.
public struct EvolveRun {
    public var request: EvolveRequest
    public var evaluator: CandidateEvaluator
    public var catalog: InputCatalog
    /// Progress and notes for people (one line each).
    public var note: (String) -> Void
    /// Test-only crash points (`SIM_CASCADE_TEST_KILL`).
    public var killPoint = KillPoint(nil)

    public init(request: EvolveRequest, evaluator: CandidateEvaluator, catalog: InputCatalog, note: @escaping (String) -> Void) {
        self.request = request
        self.evaluator = evaluator
        self.catalog = catalog
        self.note = note
    }

    var storePath: String { request.folder.appendingPathComponent("store.sqlite").path }

    /// Runs to the target (or the deadline) and writes the report files.
    /// - Throws: `EvolveError` (a locked, damaged or unwritable folder is exit 3), `CascadeError`,
    ///   `SimError` for the inputs.
    public func perform() throws -> EvolveReport {
        // One writer per run folder, from before anything in it is read, made or removed.
        let lock = try RunFolderLock(folder: request.folder)
        let storeExisted = FileManager.default.fileExists(atPath: storePath)
        var committed = false
        return try withExtendedLifetime(lock) {
            do {
                return try run(committed: &committed)
            } catch {
                // A store this process made and never committed to would refuse the next start:
                // remove it (under the lock no other process can have made it), then the folders
                // this process made for the run (`runs/` too) while they are empty.
                if !storeExisted && !committed {
                    for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: storePath + suffix) }
                }
                lock.removeFolderIfUnused()
                throw error
            }
        }
    }

    /// The run itself, under the folder's lock; `committed` is set once the store holds the run.
    private func run(committed: inout Bool) throws -> EvolveReport {
        let stored = try storedSettings()
        let problem = try stored.map { try CandidateProblem(named: $0.problem) } ?? request.problem ?? ProblemRegistry.defaultProblem
        let kind = stored?.generator ?? request.generator ?? GeneratorKind.offline.rawValue
        let generator = try makeGenerator(kind, budgeted: (stored?.budgetUSD ?? request.budgetUSD) != nil)
        let initialSource = try request.initialFile.map(CandidateEvaluator.readSource) ?? problem.template
        _ = try EvolveBlock(source: initialSource)

        var inputSettings = request.inputSettings
        inputSettings[InputScale.setting] = stored?.inputs ?? inputSettings[InputScale.setting] ?? InputScale.research.rawValue
        let search = InputRequest(settings: inputSettings)
        let inputs = try problem.loadInputs(search, catalog: catalog)
        if let stored {
            // A run started before a metric was renamed must not bin a vanished feature to 0.
            let known = try ["length", "score"] + problem.fineMetricNames(inputs)
            if let gone = stored.selection.features.first(where: { !known.contains($0) }) {
                throw EvolveError.invalidOption("--resume", value: request.folder.path,
                                                reason: "the run's selection feature \(Escaped.value(gone)) is no longer a fine-level metric of "
                                                    + "\(problem.rawValue) (metrics: \(known.joined(separator: ", "))); start a new run")
            }
        }
        // The gates: the run's own on a resume; else the file given, else the checkout's
        // calibrated ones (an evolve calibration first). Budgets and levels: the file's.
        // A run stored before gates were stored resumes on the pool calibration, as it started.
        var gates = try catalog.gates(for: problem, file: request.gatesFile?.path, evolve: stored == nil || stored?.gates != nil)
        if let stored = stored?.gates { gates.gates = stored }
        // A real system (txn's PostgreSQL level) is the top stage only when a gates file given
        // with --gates names it: the checkout's own calibration recommends it to `eval`, where
        // one candidate's seconds on it are well spent, not to every child of a run.
        // Dropping it, the gate of the new top level goes too: its score is the fitness now.
        if let levels = stored?.levels {
            gates.levels = levels
        } else if request.gatesFile == nil {
            gates = gates.droppingLevels(try problem.onDemandLevels(inputs))
        }
        let reference = stored?.gateReference ?? request.gateReference ?? gates.relativeTo ?? "initial"
        let sampling = CounterfactualSampling(share: stored?.counterfactualShare ?? request.counterfactual ?? CounterfactualSampling.defaultShare,
                                              seed: stored?.seed ?? request.seed ?? 0)
        let evaluation = try CascadeEvaluation(problem: problem, evaluator: evaluator, inputs: inputs,
                                               options: CascadeOptions(gates: gates.gates, budgets: gates.budgets, levels: gates.levels),
                                               counterfactual: sampling)
        let evaluate: @Sendable (String, [String: Double]) throws -> EvaluatedChild
        if request.executor == .local {
            evaluate = killPoint.wrap { source, references in try evaluation.evaluate(source, references: references) }
        } else {
            let workers = stored?.workers ?? request.workers ?? max(1, ProcessInfo.processInfo.activeProcessorCount)
            let executor = try RemoteExecutor.start(request.executor, workers: workers, catalog: catalog)
            note("evolve: executor \(request.executor): \(executor.ready)")
            let remote = RemoteEvaluation(executor: executor, evaluation: evaluation, gates: gates, inputSettings: inputSettings,
                                          inputsDigest: try inputs.digest(),
                                          modelsOnly: !(try problem.onDemandLevels(inputs)).contains(where: evaluation.cascade.levelNames.contains))
            evaluate = killPoint.wrap { source, references in try remote.evaluate(source, references: references) }
        }
        if let stored, stored.fitness(of: problem) != evaluation.fitness {
            throw EvolveError.invalidOption("--gates", value: request.gatesFile?.path ?? "(the checkout's)",
                                            reason: "the run ranks by \(stored.fitness(of: problem).name), but this cascade ends at "
                                                + "\(evaluation.topLevel) (\(evaluation.fitness.name)); resume with the gates it started with")
        }

        let store = try ProgramStore(path: storePath)
        if let notice = store.upgradeNotice { note(notice) }
        let loop: EvolutionLoop
        if request.resume {  // its rows were verified by `storedSettings`, under this lock
            loop = try EvolutionLoop.resume(store: store, runID: ProgramStore.runID, generator: generator, evaluate: evaluate)
            note("evolve: resuming \(request.folder.path) after iteration \(loop.completed)")
        } else {
            var settings = EvolutionSettings(problem: problem.rawValue, seed: request.seed ?? 0,
                                             workers: request.workers ?? max(1, ProcessInfo.processInfo.activeProcessorCount),
                                             budgetUSD: request.budgetUSD, generator: kind)
            settings.counterfactualShare = sampling.share
            settings.inputs = search.scale.rawValue
            settings.gateReference = reference
            settings.gates = gates.gates
            if evaluation.topLevel != "fine" {
                settings.fitness = evaluation.fitness
                settings.levels = evaluation.cascade.levelNames
            }
            settings.selection = try request.configFile.flatMap(OpenAIConfig.selection) ?? SelectionConfig()
            if let islands = request.islands { settings.selection.islands = islands }
            loop = try EvolutionLoop.start(store: store, runID: ProgramStore.runID, settings: settings, initial: initialSource,
                                           generator: generator, evaluate: evaluate)
            committed = true
        }
        loop.beforeCommit = killPoint.beforeCommit
        if reference == "parent" {
            loop.gateReferences = { parent in
                try parent?.id.map { evaluation.gateReferences(of: try store.evaluations(program: $0)) } ?? [:]
            }
        }
        var progress = ProgressLine(store: store, runID: ProgramStore.runID, target: request.iterations, metric: evaluation.fitness)
        let reason = try loop.run(until: request.iterations, deadline: request.deadline) { note(progress.record($0)) }
        if reason != .iterations { note("evolve: stopped after iteration \(loop.completed): \(reason.rawValue)") }

        let programs = try store.programs(run: ProgramStore.runID)
        let report = try EvolveReport.make(store: store, runID: ProgramStore.runID, programs: programs, folder: request.folder,
                                           stopReason: reason, gates: evaluation.cascade.gates) { source in
            try request.rescore ? rescore(source, problem: problem, search: search, level: evaluation.topLevel, metric: evaluation.fitness) : []
        }
        try EvolveReport.write(report, programs: programs, folder: request.folder)
        if let rules = report.gateRules, let recommended = rules.recommended, let calibrated = rules.recommendedGates {
            let file = GatesFile(gates: calibrated, budgets: gates.budgets, levels: gates.levels, relativeTo: recommended,
                                 note: "Calibrated on the \(rules.children) children of the evolve run \(request.folder.lastPathComponent) "
                                    + "(\(problem.rawValue), --counterfactual all): each factor the strictest keeping ≥ 97.5 % of "
                                    + "the fine level's top decile at its level. Use with evolve --gates FILE.")
            do {
                try file.encoded().write(to: request.folder.appendingPathComponent("evolve-gates.json"))
            } catch {
                throw EvolveError.cannotWrite(path: request.folder.appendingPathComponent("evolve-gates.json").path, reason: error.localizedDescription)
            }
        }
        return report
    }

    /// `source` scored by the run's top level alone on each of the problem's re-scoring inputs.
    /// `level` (the run's top: the fine level, or a real system above it) and `metric` (its fitness)
    /// keep the re-scored figures in the search score's units.
    func rescore(_ source: String, problem: CandidateProblem, search: InputRequest, level: String, metric: LevelMetric) throws
        -> [(set: String, score: Double?, failure: String?)] {
        try problem.rescoreInputs(search, catalog: catalog).map { set in
            let outcome = try evaluator.evaluate(source: source, on: set.inputs, cascade: CascadeOptions(gates: [], onlyLevel: level))
            let score = outcome.stages.last?.metrics[metric.name]
            return (set.name, outcome.valid ? score : nil, outcome.failure.map { "\($0.kind.rawValue)" })
        }
    }

    /// The settings of the run to resume (checked against the request), or nil for a new run.
    func storedSettings() throws -> EvolutionSettings? {
        let folder = request.folder.path
        guard request.resume else {
            // A store without a run is what a stop before the first commit leaves: start over in it.
            if FileManager.default.fileExists(atPath: storePath),
               (try? ProgramStore(path: storePath, readOnly: true).run(id: ProgramStore.runID)) != nil {
                throw EvolveError.invalidOption("--run", value: folder, reason: "already holds a run (pass --resume to continue it)")
            }
            return nil
        }
        guard FileManager.default.fileExists(atPath: storePath) else {
            throw EvolveError.invalidOption("--run", value: folder, reason: "holds no store.sqlite to resume")
        }
        let store = try ProgramStore(path: storePath, readOnly: true)
        try store.verifyRows()
        guard let run = try store.run(id: ProgramStore.runID) else {
            throw EvolveError.invalidOption("--run", value: folder, reason: "holds no run to resume")
        }
        guard let settings = try? JSONDecoder().decode(EvolutionSettings.self, from: Data(run.config.utf8)) else {
            throw EvolveError.store(path: storePath, problem: "the run's settings do not decode")
        }
        _ = try store.problem(named: settings.problem)
        if let named = request.problem, named.rawValue != settings.problem {
            throw EvolveError.invalidOption("--run", value: folder, reason: "holds a run of another problem (\(settings.problem))")
        }
        if let generator = request.generator, generator != settings.generator {
            throw EvolveError.invalidOption("--generator", value: generator, reason: "the run was started with \(settings.generator)")
        }
        let seed = request.seed
        let fixed = [("--islands", request.islands != nil),
                     ("--seed \(seed ?? 0) (the run's is \(settings.seed))", seed.map { $0 != settings.seed } ?? false),
                     ("--initial (the initial program is the run's iteration 0)", request.initialFile != nil),
                     ("--gates (the gates are stored with the run)", request.gatesFile != nil),
                     ("--config (the selection is stored with the run)", request.configFile != nil && settings.generator != GeneratorKind.openai.rawValue)]
        if let (option, _) = fixed.first(where: \.1) { throw EvolveError.conflictingOptions("--resume", option) }
        if let workers = request.workers, workers != settings.workers {
            throw EvolveError.invalidOption("--workers", value: "\(workers)",
                                            reason: "the run was started with \(settings.workers) (the store depends on it)")
        }
        if let share = request.counterfactual, share != settings.counterfactualShare {
            throw EvolveError.invalidOption("--counterfactual", value: "\(share)",
                                            reason: "the run was started with \(settings.counterfactualShare) (the store depends on it)")
        }
        if let reference = request.gateReference, reference != settings.gateReference {
            throw EvolveError.invalidOption("--gates-relative-to", value: reference, reason: "the run was started with \(settings.gateReference)")
        }
        if let scale = request.inputSettings[InputScale.setting], scale != settings.inputs {
            throw EvolveError.invalidOption("--inputs", value: scale, reason: "the run was started with \(settings.inputs)")
        }
        if let budget = request.budgetUSD, budget != settings.budgetUSD {
            throw EvolveError.invalidOption("--budget-usd", value: "\(budget)",
                                            reason: "the run was started with \(settings.budgetUSD.map { "\($0)" } ?? "none")")
        }
        return settings
    }

    /// The seeded offline generator, or the OpenAI-compatible one its config describes (shown
    /// the problem's candidate API sources when the package is at hand).
    func makeGenerator(_ kind: String, budgeted: Bool) throws -> any ProgramGenerator {
        guard kind == GeneratorKind.openai.rawValue else {
            if request.recordFolder != nil { throw EvolveError.missingOption("--generator openai", because: "with --record") }
            if budgeted { note("evolve: the offline generator spends nothing; --budget-usd has no effect") }
            return OfflineGenerator(seed: request.seed ?? 0)
        }
        guard let configFile = request.configFile else { throw EvolveError.missingOption("--config", because: "with the openai generator") }
        let settings = try OpenAIConfig.load(configFile)
        if budgeted, !settings.unpricedModels.isEmpty {
            throw EvolveError.config("no price for \(settings.unpricedModels.joined(separator: ", ")) in prices: a budget cannot be kept")
        }
        // Read from the checkout when there is one; without it the prompt has the template's contract only.
        let api = Dictionary(uniqueKeysWithValues: CandidateProblem.allCases.map { p in
            (p.rawValue, CandidateContract.apiReference(of: p, catalog: catalog))
        })
        return try OpenAIGenerator(config: settings, apiReference: api, record: request.recordFolder)
    }
}
