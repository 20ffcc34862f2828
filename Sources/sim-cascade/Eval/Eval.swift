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
            machine cannot sandbox or compile.
            """
    )

    @Argument(help: "The candidate source file.")
    var candidate: String

    @Option(help: "Problem: \(CandidateProblem.allCases.map(\.rawValue).joined(separator: ", ")).")
    var problem: String = "spot"

    @Option(help: "A scenario file (default: the problem's default set under traces/).")
    var scenarios: String?

    @Option(help: "Wall-clock limit of the candidate's run, in seconds.")
    var timeout: Double = 60

    @Option(help: "Address-space limit of the candidate, in MiB.")
    var memoryMb: Int = 2048

    @Option(help: "Cap on the candidate's stdout + stderr, in KiB.")
    var logLimitKb: Int = 1024

    @Option(help: "Wall-clock limit of the compile, in seconds.")
    var compileTimeout: Double = 120

    @Flag(help: "Run without namespaces/chroot where they are unavailable (only for trusted code).")
    var unsafeNoSandbox = false

    @Flag(help: "Print one JSON object (with per-scenario results) instead of text.")
    var json = false

    func run() throws {
        let problem = try CandidateProblem(named: problem)
        let source = try CandidateEvaluator.readSource(
            URL(fileURLWithPath: candidate, relativeTo: Locations.workingDirectory).standardizedFileURL)
        let setURL = try scenarios.map(Locations.spotFile) ?? Locations.defaultSpotScenarios()
        let set = try SpotScenarioSet.load(from: setURL)

        var limits = SandboxLimits()
        limits.wallSeconds = timeout
        limits.addressSpaceBytes = memoryMb << 20
        limits.logBytes = logLimitKb << 10
        guard compileTimeout > 0 else {
            throw CascadeError.invalidBudget(name: "--compile-timeout", value: "\(compileTimeout)", reason: "must be positive")
        }
        let sandbox = try Sandbox.make(allowUnsafe: unsafeNoSandbox, limits: limits)
        let cacheRoot = CandidateCompiler.defaultCacheRoot
        let toolchain = try CandidateToolchain.locate(cacheRoot: cacheRoot)
        let evaluator = CandidateEvaluator(
            compiler: CandidateCompiler(toolchain: toolchain, cacheRoot: cacheRoot, timeoutSeconds: compileTimeout),
            sandbox: sandbox)

        let outcome: EvaluationOutcome
        switch problem {
        case .spot: outcome = try evaluator.evaluateSpot(source: source, on: set)
        }
        let report = EvalReport(candidate: candidate, set: set, outcome: outcome)
        if json {
            try JSONOutput.print(report)
        } else {
            print(report.text)
        }
    }
}
