import ArgumentParser
import Cascade
import Evolve
import Foundation
import Sim
import SimCore

/// `--generator offline|openai`; help lists both.
extension GeneratorKind: ExpressibleByArgument {}

/// `--gates-relative-to initial|parent`.
enum GateReference: String, CaseIterable, ExpressibleByArgument {
    case initial, parent
}

/// `--counterfactual SHARE|all|none`: the share of stopped children also run by the fine level.
struct CounterfactualShare: ExpressibleByArgument {
    var share: Double

    init?(argument: String) {
        switch argument {
        case "all": share = 1
        case "none": share = 0
        default:
            guard let x = Double(argument), x >= 0, x <= 1 else { return nil }
            share = x
        }
    }

    static var defaultCompletionKind: CompletionKind { .list(["all", "none", "0.1"]) }
}

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
    var generator: GeneratorKind?

    @Option(help: "Evaluations in flight (default: the core count). Stored with the run: the same seed and worker count give the same store.")
    var workers: Int?

    @Option(help: "A JSON config: the selection (islands, features, bins, ratios) and the openai generator's endpoint, models and prices (see docs/evolve.md).")
    var config: String?

    @Option(help: "openai: save every exchange in DIR as a test fixture.")
    var record: String?

    @OptionGroup var shape: EPLBShapeOptions

    @Option(help: "The embedded search and held-out inputs: research (default) or small (quick runs). Stored with the run.")
    var inputs: InputScale?

    @Option(help: "Islands of the MAP-Elites population (overrides the config's; default 3).")
    var islands: Int?

    @Option(help: ArgumentHelp(
        "The share of children a cheap level stopped that also run by the fine level alone, for the report's fine-only counterfactual and top-decile recall: 0…1, all or none (default 0.1, seeded; stored with the run).",
        valueName: "share"))
    var counterfactual: CounterfactualShare?

    @Option(help: ArgumentHelp(
        "What each gate compares a child with: initial (the template's value at that level, as eval does) or parent (the child's parent's value there, with the same factors); default: the gates file's gates_relative_to, else initial. Stored with the run.",
        valueName: "reference"))
    var gatesRelativeTo: GateReference?

    @Option(help: "A gates file (as eval's --gates; e.g. an earlier run's evolve-gates.json). Default: fidelity-reports/PROBLEM-evolve.json, else PROBLEM.json. Stored with the run.")
    var gates: String?

    @Flag(help: "Skip re-scoring the best program on the held-out inputs at the end.")
    var noRescore = false

    @Option(help: ExecutorChoice.help)
    var executor: ExecutorChoice = .local

    @Flag(help: "Run without namespaces/chroot where they are unavailable (only for trusted code).")
    var unsafeNoSandbox = false

    @OptionGroup var output: OutputOptions

    func validate() throws {
        if let iterations, iterations < 0 { throw CLIError.invalidValue("--iterations", "\(iterations)", "must not be negative") }
        if let islands, !(1...SelectionConfig.maxIslands).contains(islands) {
            throw CLIError.invalidValue("--islands", "\(islands)", "must be 1…\(SelectionConfig.maxIslands)")
        }
        if let workers, !EvolutionSettings.workerRange.contains(workers) {
            throw CLIError.invalidValue("--workers", "\(workers)", "must be \(EvolutionSettings.workerRange.lowerBound)…\(EvolutionSettings.workerRange.upperBound)")
        }
        if let budgetUsd, !(budgetUsd >= 0) { throw CLIError.invalidValue("--budget-usd", "\(budgetUsd)", "must not be negative") }
        _ = try timeBudget.map(Self.seconds)
        if resume && runFolder == nil { throw CLIError.missingOption("--run", because: "with --resume") }
        // A worker's eval always sandboxes: code is never run unconfined on a machine that did not say so.
        if unsafeNoSandbox && executor != .local { throw CLIError.conflictingOptions("--unsafe-no-sandbox", "--executor \(executor)") }
    }

    func run() throws {
        let catalog = InputCatalog.standard
        var request = EvolveRequest(folder: catalog.userPath(runFolder ?? "runs/\((problem ?? ProblemRegistry.defaultProblem).rawValue)-\(Self.timestamp())"))
        request.problem = problem
        request.resume = resume
        request.iterations = iterations ?? (timeBudget == nil ? 100 : Int.max)
        request.deadline = try timeBudget.map { Date().addingTimeInterval(try Self.seconds($0)) }
        (request.seed, request.workers, request.budgetUSD, request.generator, request.islands) = (seed, workers, budgetUsd, generator?.rawValue, islands)
        request.initialFile = initial.map(catalog.userPath)
        request.configFile = config.map(catalog.userPath)
        request.recordFolder = record.map(catalog.userPath)
        request.inputSettings = shape.settings
        request.inputSettings[InputScale.setting] = inputs?.rawValue
        request.rescore = !noRescore
        request.executor = executor
        request.counterfactual = counterfactual?.share
        request.gateReference = gatesRelativeTo?.rawValue
        request.gatesFile = gates.map(catalog.userPath)
        if let problem { try problem.check(settings: request.inputSettings) }

        let evaluator = try CandidateEvaluator.standard(allowUnsafe: unsafeNoSandbox)
        Log.warnings(of: evaluator.sandbox)
        var run = EvolveRun(request: request, evaluator: evaluator, catalog: catalog, note: Log.note)
        run.killPoint = KillPoint(ProcessInfo.processInfo.environment["SIM_CASCADE_TEST_KILL"])
        let report = try run.perform()
        if output.json { return try JSONOutput.print(report) }
        print(report.markdown(bestSource: nil).replacingOccurrences(of: "![progress](progress.svg)\n\n", with: ""))
        let folder = request.folder
        print("files: \(["best.swift", "report.md", "progress.svg"].map { folder.appendingPathComponent($0).path }.joined(separator: ", "))")
    }

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
