import ArgumentParser
import Cascade
import Evolve
import Foundation
import Sim

struct EvolveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evolve",
        abstract: "Evolve a candidate: propose children, evaluate them through the cascade, keep the good ones.",
        discussion: """
            Starts from the problem's template (or --initial), proposes children with the seeded \
            offline generator (or an OpenAI-compatible endpoint: --generator openai --config FILE), \
            evaluates each through the cascade on the default search inputs, and stores everything \
            in DIR/store.sqlite, one transaction per iteration: --resume continues a stopped run \
            exactly, even after kill -9. Only candidates that passed every stage become parents. \
            Progress goes to stderr. At the end: a leaderboard, the best program re-scored on the \
            held-out inputs (and, for spot, adrs-1080), and DIR/best.swift, DIR/report.md, DIR/progress.svg.
            """
    )

    @Option(help: "The problem (default: spot, or the resumed run's).")
    var problem: CandidateProblem?

    @Option(help: "The starting candidate (default: the problem's template).")
    var initial: String?

    @Option(help: "Iterations to reach, counting a resumed run's (default: 100, or no limit with --time-budget).")
    var iterations: Int?

    @Option(help: "Stop starting iterations after this long, e.g. 90s, 30m, 2h (evaluations in flight finish); with --iterations, whichever comes first.")
    var timeBudget: String?

    @Option(help: "Stop before a generator call whose worst-case cost would pass this many US dollars.")
    var budgetUsd: Double?

    @Option(help: "Seed of the generator and the selection (default 0).")
    var seed: UInt64?

    @Option(name: .customLong("run"), help: "Run folder (default: runs/PROBLEM-TIMESTAMP).")
    var runFolder: String?

    @Flag(help: "Continue the run in --run after its last committed iteration.")
    var resume = false

    @Option(help: "offline (seeded mutations, no network) or openai (needs --config).")
    var generator: String?

    @Option(help: "Evaluations in flight (default: the core count). Stored with the run: the same seed and worker count give the same store.")
    var workers: Int?

    @Option(help: "A JSON config: the selection (islands, features, bins, ratios) and the openai generator's endpoint, models and prices (see docs/evolve.md).")
    var config: String?

    @Option(help: "openai: save every exchange in DIR as a test fixture.")
    var record: String?

    @OptionGroup var shape: EPLBShapeOverride

    @Option(help: "Islands of the MAP-Elites population (overrides the config's; default 3).")
    var islands: Int?

    @Flag(help: "Skip re-scoring the best program on the held-out inputs at the end.")
    var noRescore = false

    @Flag(help: "Run without namespaces/chroot where they are unavailable (only for trusted code).")
    var unsafeNoSandbox = false

    @OptionGroup var output: OutputOptions

    func run() throws {
        let iterations = self.iterations ?? (timeBudget == nil ? 100 : Int.max)
        guard iterations >= 0 else { throw CLIError.invalidValue("--iterations", "\(iterations)", "must not be negative") }
        if let islands, !(1...SelectionConfig.maxIslands).contains(islands) {
            throw CLIError.invalidValue("--islands", "\(islands)", "must be 1…\(SelectionConfig.maxIslands)")
        }
        if let workers, !EvolutionSettings.workerRange.contains(workers) {
            throw CLIError.invalidValue("--workers", "\(workers)", "must be \(EvolutionSettings.workerRange.lowerBound)…\(EvolutionSettings.workerRange.upperBound)")
        }
        if let budgetUsd, !(budgetUsd >= 0) { throw CLIError.invalidValue("--budget-usd", "\(budgetUsd)", "must not be negative") }
        if let generator, !["offline", "openai"].contains(generator) {
            throw CLIError.invalidValue("--generator", generator, "must be offline or openai")
        }
        let deadline = try timeBudget.map { Date().addingTimeInterval(try Self.seconds($0)) }
        if resume && runFolder == nil { throw CLIError.missingOption("--run", because: "with --resume") }
        let named = problem
        let folder = URL(fileURLWithPath: runFolder ?? "runs/\((named ?? .spot).rawValue)-\(Self.timestamp())",
                         relativeTo: Locations.workingDirectory).standardizedFileURL
        let storePath = folder.appendingPathComponent("store.sqlite").path
        // One writer per run folder, from before anything in it is read, made or removed.
        let lock = try RunFolderLock(folder: folder)
        let storeExisted = FileManager.default.fileExists(atPath: storePath)
        var committed = false
        try withExtendedLifetime(lock) {
            do {
                try run(in: folder, storePath: storePath, named: named, iterations: iterations, deadline: deadline, committed: &committed)
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
    private func run(in folder: URL, storePath: String, named: CandidateProblem?, iterations: Int, deadline: Date?,
                     committed: inout Bool) throws {
        let stored = try storedSettings(folder: folder, storePath: storePath, named: named)
        let problem = try stored.map { try CandidateProblem(named: $0.problem) } ?? named ?? .spot  // checked by storedSettings
        let kind = stored?.generator ?? generator ?? "offline"
        let programGenerator = try makeGenerator(kind, budgeted: (stored?.budgetUSD ?? budgetUsd) != nil)
        let initialSource = try initial.map {
            try CandidateEvaluator.readSource(URL(fileURLWithPath: $0, relativeTo: Locations.workingDirectory).standardizedFileURL)
        } ?? problem.template
        _ = try EvolveBlock(source: initialSource)

        let evaluator = try CandidateEvaluator.standard(allowUnsafe: unsafeNoSandbox)
        Log.warnings(of: evaluator.sandbox)
        let inputs = try ProblemInputs.load(problem, scenarios: nil, input: nil, window: nil, shape: shape)
        let gates = try Locations.gates(for: problem, file: nil)
        let adapter = try EvaluationAdapter(problem: problem, evaluator: evaluator, inputs: inputs.candidateInputs,
                                        options: CascadeOptions(gates: gates.gates, budgets: gates.budgets, levels: gates.levels))
        let killPoint = KillPoint(ProcessInfo.processInfo.environment["SIM_CASCADE_TEST_KILL"])
        let evaluate = killPoint.wrap(adapter.evaluate)

        let store = try ProgramStore(path: storePath)
        Log.upgrade(of: store)
        let loop: EvolutionLoop
        if resume {  // its rows were verified by `storedSettings`, under this lock
            loop = try EvolutionLoop.resume(store: store, runID: ProgramStore.runID, generator: programGenerator, evaluate: evaluate)
            Log.note("evolve: resuming \(folder.path) after iteration \(loop.completed)")
        } else {
            var settings = EvolutionSettings(problem: problem.rawValue, seed: seed ?? 0, workers: workers ?? Self.cores,
                                             budgetUSD: budgetUsd, generator: kind)
            settings.selection = try configURL.flatMap(OpenAIConfig.selection) ?? SelectionConfig()
            if let islands { settings.selection.islands = islands }
            loop = try EvolutionLoop.start(store: store, runID: ProgramStore.runID, settings: settings, initial: initialSource,
                                           generator: programGenerator, evaluate: evaluate)
            committed = true
        }
        loop.beforeCommit = killPoint.beforeCommit
        var progress = ProgressLine(store: store, runID: ProgramStore.runID, target: iterations, metric: problem.fitness)
        let reason = try loop.run(until: iterations, deadline: deadline) { progress.record($0) }
        if reason != .iterations { Log.note("evolve: stopped after iteration \(loop.completed): \(reason.rawValue)") }

        let programs = try store.programs(run: ProgramStore.runID)
        let report = try EvolveReport.make(store: store, runID: ProgramStore.runID, programs: programs, folder: folder, stopReason: reason) { source in
            noRescore ? [] : try rescoreSets(problem).map { set in
                let outcome = try evaluator.evaluate(source: source, on: set.inputs, cascade: CascadeOptions(gates: [], onlyLevel: "fine"))
                let score = outcome.stages.last?.metrics[problem.fitness.name]
                return (set.name, outcome.valid ? score : nil, outcome.failure.map { "\($0.kind.rawValue)" })
            }
        }
        try EvolveReport.write(report, programs: programs, folder: folder)
        if output.json { return try JSONOutput.print(report) }
        print(report.markdown(bestSource: nil).replacingOccurrences(of: "![progress](progress.svg)\n\n", with: ""))
        print("files: \(["best.swift", "report.md", "progress.svg"].map { folder.appendingPathComponent($0).path }.joined(separator: ", "))")
    }

    /// The settings of the run to resume (checked against the options), or nil for a new run.
    func storedSettings(folder: URL, storePath: String, named: CandidateProblem?) throws -> EvolutionSettings? {
        guard resume else {
            // A store without a run is what a stop before the first commit leaves: start over in it.
            if FileManager.default.fileExists(atPath: storePath),
               (try? ProgramStore(path: storePath, readOnly: true).run(id: ProgramStore.runID)) != nil {
                throw CLIError.invalidValue("--run", folder.path, "already holds a run (pass --resume to continue it)")
            }
            return nil
        }
        guard FileManager.default.fileExists(atPath: storePath) else {
            throw CLIError.invalidValue("--run", folder.path, "holds no store.sqlite to resume")
        }
        let store = try ProgramStore(path: storePath, readOnly: true)
        try store.verifyRows()
        guard let run = try store.run(id: ProgramStore.runID) else { throw CLIError.invalidValue("--run", folder.path, "holds no run to resume") }
        guard let settings = try? JSONDecoder().decode(EvolutionSettings.self, from: Data(run.config.utf8)) else {
            throw EvolveError.store(path: storePath, problem: "the run's settings do not decode")
        }
        _ = try store.problem(named: settings.problem)
        if let named, named.rawValue != settings.problem {
            throw CLIError.invalidValue("--run", folder.path, "holds a run of another problem (\(settings.problem))")
        }
        if let generator, generator != settings.generator {
            throw CLIError.invalidValue("--generator", generator, "the run was started with \(settings.generator)")
        }
        let fixed = [("--islands", islands != nil), ("--seed \(seed ?? 0) (the run's is \(settings.seed))", seed.map { $0 != settings.seed } ?? false),
                     ("--initial (the initial program is the run's iteration 0)", initial != nil),
                     ("--config (the selection is stored with the run)", config != nil && settings.generator != "openai")]
        if let (option, _) = fixed.first(where: \.1) { throw CLIError.conflictingOptions("--resume", option) }
        if let workers, workers != settings.workers {
            throw CLIError.invalidValue("--workers", "\(workers)", "the run was started with \(settings.workers) (the store depends on it)")
        }
        if let budgetUsd, budgetUsd != settings.budgetUSD {
            throw CLIError.invalidValue("--budget-usd", "\(budgetUsd)", "the run was started with \(settings.budgetUSD.map { "\($0)" } ?? "none")")
        }
        return settings
    }

    func makeGenerator(_ kind: String, budgeted: Bool) throws -> any ProgramGenerator {
        guard kind == "openai" else {
            if record != nil { throw CLIError.missingOption("--generator openai", because: "with --record") }
            if budgeted { Log.note("evolve: the offline generator spends nothing; --budget-usd has no effect") }
            return OfflineGenerator(seed: seed ?? 0)
        }
        guard let configURL else { throw CLIError.missingOption("--config", because: "with the openai generator") }
        let settings = try OpenAIConfig.load(configURL)
        if budgeted, !settings.unpricedModels.isEmpty {
            throw EvolveError.config("no price for \(settings.unpricedModels.joined(separator: ", ")) in prices: a budget cannot be kept")
        }
        // Read from the checkout when there is one; without it the prompt has the template's contract only.
        let api = Dictionary(uniqueKeysWithValues: CandidateProblem.allCases.map { p in
            (p.rawValue, p.apiSourceFiles.compactMap { file in
                (try? Locations.defaultFile(file)).flatMap { try? String(contentsOf: $0, encoding: .utf8) }
            }.joined(separator: "\n"))
        })
        return try OpenAIGenerator(config: settings, apiReference: api,
                                   record: record.map { URL(fileURLWithPath: $0, relativeTo: Locations.workingDirectory).standardizedFileURL })
    }

    /// The inputs the best program is re-scored on: the held-out set, and adrs-1080 for spot
    /// when the reference data is present.
    func rescoreSets(_ problem: CandidateProblem) throws -> [(name: String, inputs: CandidateInputs)] {
        switch problem {
        case .spot:
            var sets = [("held-out", CandidateInputs.spot(try SpotScenarioSet.load(from: try Locations.heldOutSpotScenarios())))]
            if let adrs = try? Locations.spotFile("scenarios-adrs-1080.json") {
                sets.append(("adrs-1080", .spot(try SpotScenarioSet.load(from: adrs))))
            }
            return sets
        case .spotMulti:
            var sets = [("held-out", CandidateInputs.spotMulti(try MultiRegionScenarioSet.load(from: try Locations.heldOutSpotMultiScenarios()),
                                                               model: .corrected, migrationOverheadSeconds: 0))]
            if let board = try? Locations.spotMultiScenarios("scenarios-leaderboard-multi.json"),
               let set = try? MultiRegionScenarioSet.load(from: board) {
                sets.append(("leaderboard-multi (corrected)", .spotMulti(set, model: .corrected, migrationOverheadSeconds: 0)))
                sets.append(("leaderboard-multi (reference)", .spotMulti(set, model: .reference, migrationOverheadSeconds: 0)))
            }
            return sets
        case .prefix:
            let tables = try Locations.defaultPrefixTables(heldOut: true).map { (name: $0.lastPathComponent, table: try PrefixTableFile.load(from: $0)) }
            return [("held-out", .prefix(tables))]
        case .txn:
            let url = try Locations.defaultFile("traces/txn/workloads-heldout.json")
            return [("held-out", .txn(try TxnWorkloadFile.load(from: url)))]
        case .eplb:
            let url = try Locations.defaultFile("traces/eplb/v3-history-heldout.json")
            return [("held-out", try ProblemInputs.load(.eplb, scenarios: nil, input: url.path, window: nil, shape: shape).candidateInputs)]
        }
    }

    var configURL: URL? { config.map { URL(fileURLWithPath: $0, relativeTo: Locations.workingDirectory).standardizedFileURL } }


    static var cores: Int { max(1, ProcessInfo.processInfo.activeProcessorCount) }

    /// `90`, `90s`, `30m`, `2h`, `1.5h` → seconds.
    static func seconds(_ text: String) throws -> Double {
        let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600]
        let unit = text.last.flatMap { units[$0] }
        guard let value = Double(unit == nil ? text : String(text.dropLast())), value > 0, value.isFinite else {
            throw CLIError.invalidValue("--time-budget", text, "expected a duration such as 90s, 30m or 2h")
        }
        return value * (unit ?? 1)
    }

    static func timestamp() -> String {
        let f = DateFormatter()
        f.dateFormat = "yyyyMMdd-HHmmss"
        f.timeZone = TimeZone(identifier: "UTC")
        return f.string(from: Date())
    }
}

/// The progress line on stderr: iteration, best score, children stopped at each stage,
/// evaluations per minute and the generator's spend.
struct ProgressLine {
    var target: Int
    var metric: LevelMetric
    var best: Double?
    var stopped: [String: Int] = [:]
    var evaluations = 0
    let started = Date()

    init(store: ProgramStore, runID: String, target: Int, metric: LevelMetric) {
        self.target = target
        self.metric = metric
        for p in (try? store.programs(run: runID)) ?? [] { count(p) }
        evaluations = 0
    }

    mutating func count(_ p: ProgramRecord) {
        evaluations += 1
        guard p.valid, let s = p.score else {
            stopped[p.rejectedAt ?? "compile", default: 0] += 1
            return
        }
        if best.map({ metric.lowerIsBetter ? s < $0 : s > $0 }) ?? true { best = s }
    }

    mutating func record(_ summary: IterationSummary) {
        if let p = summary.program { count(p) }
        let rate = Double(evaluations) / max(Date().timeIntervalSince(started) / 60, 1e-9)
        let what = summary.program.map { p in p.valid ? "\(metric.name) \(EvolveReport.text(p.score))" : "stopped at \(p.rejectedAt ?? "compile")" }
            ?? "no child (\(summary.error ?? ""))"
        let stops = EvolveReport.stops(stopped)
        Log.note("evolve: \(summary.iteration)\(target == Int.max ? "" : "/\(target)") \(what) | best \(EvolveReport.text(best)) | stopped: \(stops) | "
            + "\(String(format: "%.1f", rate)) evaluations/min | spent \(String(format: "%.4f", summary.spentUSD)) $")
    }
}
