import ArgumentParser
import Cascade
import SimCore

/// The candidate's limits and how it is compiled and contained (`eval`).
struct SandboxOptions: ParsableArguments {
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

    /// Every number in its range, before anything is read or allocated.
    func validate() throws {
        _ = try limits()
        guard (1...86_400).contains(compileTimeout) else {
            throw CascadeError.invalidBudget(name: "--compile-timeout", value: "\(compileTimeout)", reason: "must be in [1, 86400] seconds")
        }
    }

    /// The sandbox's limits, each checked before its shift to bytes (2^44 MiB << 20 would wrap to 0).
    /// - Throws: `CascadeError.invalidBudget` naming the option.
    func limits() throws -> SandboxLimits {
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

    /// The evaluator these options describe (warnings about the sandbox printed).
    /// - Throws: `CascadeError.toolchainMissing` or `.sandboxUnavailable` (exit 3).
    func evaluator() throws -> CandidateEvaluator {
        let evaluator = try CandidateEvaluator.standard(allowUnsafe: unsafeNoSandbox, limits: try limits(), compileTimeout: compileTimeout)
        Log.warnings(of: evaluator.sandbox)
        return evaluator
    }
}

/// Which levels run and how they are gated (`eval`).
struct CascadeSelection: ParsableArguments {
    @Flag(help: "run every level even after a stage stopped the candidate.")
    var allLevels = false

    @Flag(help: "leave a real-system level (txn's PostgreSQL) out of the calibrated cascade, as evolve does: the fine level gives the score (with --all-levels: every level but such ones).")
    var modelsOnly = false

    @Option(help: "run one level alone, without gates (cost_model, coarse, fine).")
    var level: String?

    @Option(help: "gates and budgets to use (default: fidelity-reports/PROBLEM.json of this checkout, else built-in defaults).")
    var gates: String?

    @Option(name: .customLong("gate-reference"), parsing: .singleValue,
            help: ArgumentHelp("the value LEVEL's gate compares with instead of the template's, LEVEL=VALUE (repeatable): evolve's parent-relative gates, for an evaluation run elsewhere.",
                               valueName: "level=value"))
    var gateReferences: [String] = []

    @Flag(help: "decide every gate batch by batch (a t-interval on a seeded sample) unless the gates file says how.")
    var sequential = false

    @Option(name: .customLong("budget"), parsing: .singleValue,
            help: ArgumentHelp("one stage's budget, LEVEL=WALL_SECONDS[,CPU_SECONDS] (repeatable; overrides the gates file's).",
                               valueName: "level=wall[,cpu]"))
    var budgets: [String] = []

    func validate() throws {
        if sequential && (allLevels || level != nil) {
            throw CLIError.conflictingOptions("--sequential", allLevels ? "--all-levels (which runs every input)" : "--level (which has no gate)")
        }
        for text in budgets { _ = try StageBudget(parsing: text) }
        _ = try references()
    }

    /// `--gate-reference` as level → value.
    /// - Throws: `CLIError.invalidValue` for a malformed pair, a value that is not finite, or a
    ///   level named twice.
    func references() throws -> [String: Double] {
        var references: [String: Double] = [:]
        for text in gateReferences {
            let parts = text.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty, let value = Double(parts[1]), value.isFinite else {
                throw CLIError.invalidValue("--gate-reference", text, "expected LEVEL=VALUE with a finite number")
            }
            guard references.updateValue(value, forKey: parts[0]) == nil else {
                throw CLIError.invalidValue("--gate-reference", text, "level \(Escaped.value(parts[0])) is named twice")
            }
        }
        return references
    }

    /// The gates and budgets (`--gates FILE`, else the calibrated ones of this checkout, else the
    /// problem's defaults), with `--budget` and `--sequential` applied; an explicit `--timeout`
    /// (`timeoutGiven`) is the user's budget for every stage and drops the file's.
    /// With `--models-only`, `levelNames` gives every level of the problem on the inputs and the
    /// on-demand ones among them.
    func options(for problem: CandidateProblem, catalog: InputCatalog, timeoutGiven: Bool,
                 levelNames: () throws -> (all: [String], onDemand: [String]) = { ([], []) }) throws -> CascadeOptions {
        var file = try catalog.gates(for: problem, file: gates)
        let names: (all: [String], onDemand: [String]) = modelsOnly ? try levelNames() : ([], [])
        if modelsOnly { file = file.droppingLevels(names.onDemand) }
        if timeoutGiven { file.budgets = [] }
        for text in budgets {
            let budget = try StageBudget(parsing: text)
            file.budgets.removeAll { $0.level == budget.level }
            file.budgets.append(budget)
        }
        if sequential {
            for i in file.gates.indices where file.gates[i].sequential == nil { file.gates[i].sequential = SequentialSettings() }
        }
        // --all-levels runs every level, whatever levels the file recommends (with --models-only,
        // every level but the on-demand ones).
        let everyLevel = modelsOnly ? names.all.filter { !names.onDemand.contains($0) } : nil
        return CascadeOptions(gates: file.gates, budgets: file.budgets, allLevels: allLevels, onlyLevel: level,
                              levels: allLevels ? everyLevel : file.levels)
    }
}
