import ArgumentParser
import Cascade
import Foundation
import Sim

struct Eval: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compile a candidate, run it sandboxed against the trusted simulator, and score it.",
        discussion: """
            The candidate is one Swift file defining `Candidate` (see `sim-cascade init PROBLEM`). \
            It runs in a sandboxed child that only answers queries; the score is computed here. \
            A failed candidate is `valid: false` with a failure kind, never a number. Exit status \
            0 when the evaluation ran (valid or not), 2 for bad arguments or input, 3 when this \
            machine cannot sandbox or compile. Inputs default to the problem's embedded set under \
            traces/: spot --scenarios FILE; eplb --input (an instance or a load history); prefix \
            --input (a CSV table); txn --input (a workload file).
            """
    )

    @Argument(help: "The candidate source file.")
    var candidate: String

    @Option(help: "The problem.")
    var problem: CandidateProblem = .spot

    @Option(help: "spot, spot-multi: a scenario file (default: the search set, traces/PROBLEM/scenarios-default.json).")
    var scenarios: String?

    @Flag(help: "spot, spot-multi: score on the held-out set (traces/PROBLEM/scenarios-heldout.json), never seen in search.")
    var heldOut = false

    @Option(help: "spot-multi: reference (the public evaluator's billing, exactly) or corrected.")
    var model: MultiRegionModel = .corrected

    @Option(help: "spot-multi, corrected model: extra overhead when a running instance moves to another region, in hours.")
    var migrationOverheadHours: Double = 0

    @Option(help: "eplb, prefix, txn: an input file (see the matching simulate command).")
    var input: String?

    @Option(help: "eplb: records per window of a load history (default: the file's, else 100).")
    var window: Int?

    @OptionGroup var shape: EPLBShapeOverride

    @Flag(help: "run every level even after a stage stopped the candidate.")
    var allLevels = false

    @Option(help: "run one level alone, without gates (cost_model, coarse, fine).")
    var level: String?

    @Option(help: "gates and budgets to use (default: fidelity-reports/PROBLEM.json of this checkout, else built-in defaults).")
    var gates: String?

    @Flag(help: "spot: decide every gate batch by batch (a t-interval on a seeded sample) unless the gates file says how.")
    var sequential = false

    @Option(name: .customLong("budget"), parsing: .singleValue,
            help: ArgumentHelp("one stage's budget, LEVEL=WALL_SECONDS[,CPU_SECONDS] (repeatable; overrides the gates file's).",
                               valueName: "level=wall[,cpu]"))
    var budgets: [String] = []

    @Option(help: "Wall-clock limit of each level's run, in seconds, from the candidate's start (default 60, at least 0.05). Given, it replaces the gates file's stage budgets and caps every --budget.")
    var timeout: Double?

    @Option(help: "Memory limit of the candidate, in MiB: of the sandbox's resident memory with the memory cgroup, else of each process's address space.")
    var memoryMb: Int = 2048

    @Option(help: "Cap on the candidate's stdout + stderr, in KiB.")
    var logLimitKb: Int = 1024

    @Option(help: "Wall-clock limit of the compile, in seconds.")
    var compileTimeout: Double = 120

    @Flag(inversion: .prefixedNo,
          help: "Cap the sandbox's memory with a cgroup, where the machine allows (a warning says when it does not).")
    var memoryCgroup = true

    @Flag(help: "Run without namespaces/chroot where they are unavailable (only for trusted code).")
    var unsafeNoSandbox = false

    /// With per-item results (scenarios, windows, tables or workloads) in the JSON.
    @OptionGroup var output: OutputOptions

    func run() throws {
        // Every number first, before anything is read or allocated.
        let limits = try sandboxLimits()
        guard (1...86_400).contains(compileTimeout) else {
            throw CascadeError.invalidBudget(name: "--compile-timeout", value: "\(compileTimeout)", reason: "must be in [1, 86400] seconds")
        }
        if let window, window < 1 { throw CLIError.invalidValue("--window", "\(window)", "must be positive") }
        guard migrationOverheadHours.isFinite, migrationOverheadHours >= 0, migrationOverheadHours <= 1e6 else {
            throw CLIError.invalidValue("--migration-overhead-hours", "\(migrationOverheadHours)", "must be in [0, 1000000] hours")
        }
        let source = try CandidateEvaluator.readSource(
            URL(fileURLWithPath: candidate, relativeTo: Locations.workingDirectory).standardizedFileURL)
        let scenarioProblem = problem == .spot || problem == .spotMulti
        if scenarioProblem && input != nil { throw CLIError.conflictingOptions("--problem \(problem.rawValue)", "--input (use --scenarios)") }
        if !scenarioProblem && scenarios != nil { throw CLIError.conflictingOptions("--problem \(problem.rawValue)", "--scenarios (use --input)") }
        if heldOut && (!scenarioProblem || scenarios != nil) {
            throw CLIError.conflictingOptions("--held-out", !scenarioProblem ? "--problem \(problem.rawValue)" : "--scenarios")
        }
        if problem != .spotMulti && (model != .corrected || migrationOverheadHours != 0) {
            throw CLIError.missingOption("--problem spot-multi", because: "with --model or --migration-overhead-hours")
        }
        let heldOutFile = !heldOut ? nil : problem == .spot ? try Locations.heldOutSpotScenarios().path : try Locations.heldOutSpotMultiScenarios().path
        let inputs = try ProblemInputs.load(
            problem, scenarios: heldOutFile ?? scenarios, input: input, window: window, shape: shape, model: model,
            migrationOverheadSeconds: try model.migrationSeconds(hours: migrationOverheadHours))

        let evaluator = try CandidateEvaluator.standard(allowUnsafe: unsafeNoSandbox, limits: limits, compileTimeout: compileTimeout)
        Log.warnings(of: evaluator.sandbox)
        let cascade = try cascadeOptions(problem)
        let outcome = try evaluator.evaluate(source: source, on: inputs.candidateInputs, cascade: cascade)
        if outcome.failure?.kind == .compileError, let other = problem.otherProblem(suggestedBy: source) {
            Log.note("hint: the candidate conforms to \(other.protocolName), a \(other.rawValue) protocol: pass --problem \(other.rawValue)")
        }
        let report = EvalReport(candidate: candidate, inputs: inputs, outcome: outcome)
        if output.json {
            try JSONOutput.print(report)
        } else {
            print(report.text)
        }
    }

    /// The sandbox's limits from the options, each checked before its shift to bytes (2^44 MiB
    /// << 20 would wrap to 0).
    private func sandboxLimits() throws -> SandboxLimits {
        guard (64 ... SandboxLimits.maxMemoryMB).contains(memoryMb) else {
            throw CascadeError.invalidBudget(name: "--memory-mb", value: "\(memoryMb)",
                                             reason: "must be in [64, \(SandboxLimits.maxMemoryMB)] MiB")
        }
        guard (1 ... SandboxLimits.maxLogKB).contains(logLimitKb) else {
            throw CascadeError.invalidBudget(name: "--log-limit-kb", value: "\(logLimitKb)",
                                             reason: "must be in [1, \(SandboxLimits.maxLogKB)] KiB")
        }
        var limits = SandboxLimits()
        limits.wallSeconds = timeout ?? 60
        limits.addressSpaceBytes = memoryMb << 20
        limits.logBytes = logLimitKb << 10
        limits.memoryCgroup = memoryCgroup
        return try limits.validated()
    }

    /// The gates and budgets (`--gates FILE`, else the calibrated ones of this checkout, else the
    /// built-in defaults), with `--budget` and `--sequential` applied.
    private func cascadeOptions(_ problem: CandidateProblem) throws -> CascadeOptions {
        if sequential && (allLevels || level != nil) {
            throw CLIError.conflictingOptions("--sequential", allLevels ? "--all-levels (which runs every input)" : "--level (which has no gate)")
        }
        var file = try loadGates(problem)
        // An explicit --timeout is the user's budget for every stage.
        if timeout != nil { file.budgets = [] }
        for text in budgets {
            let budget = try StageBudget(parsing: text)
            file.budgets.removeAll { $0.level == budget.level }
            file.budgets.append(budget)
        }
        if sequential {
            for i in file.gates.indices where file.gates[i].sequential == nil { file.gates[i].sequential = SequentialSettings() }
        }
        return CascadeOptions(gates: file.gates, budgets: file.budgets, allLevels: allLevels, onlyLevel: level, levels: file.levels)
    }

    private func loadGates(_ problem: CandidateProblem) throws -> GatesFile {
        try Locations.gates(for: problem, file: gates)
    }
}
