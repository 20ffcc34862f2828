import ArgumentParser
import Cascade
import Foundation
import Sim
import SimCore

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
    var problem: CandidateProblem = ProblemRegistry.defaultProblem

    @OptionGroup var inputs: ProblemInputOptions

    @Flag(help: "Score on the problem's held-out inputs (traces/PROBLEM/*-heldout*), never seen in search.")
    var heldOut = false

    @Option(help: ArgumentHelp("Exit 3 unless the inputs loaded here have this digest (sim-cascade traces digest): how a scale-out worker refuses inputs that are not the driver's.", valueName: "digest"))
    var expectInputs: String?

    @OptionGroup var cascade: CascadeSelection

    @OptionGroup var sandbox: SandboxOptions

    @Flag(help: "Skip the public evaluator's diagnostic figure (spot, spot-multi), which may rerun every item.")
    var noPublicEvaluator = false

    /// With per-item results (scenarios, windows, tables or workloads) in the JSON.
    @OptionGroup var output: OutputOptions

    @Flag(help: "Keep running when the parent process ends (by default eval ends with it, so a framework that abandons a timed-out evaluation leaves nothing running).")
    var outliveParent = false

    func run() throws {
        if !outliveParent, try !ParentDeath.follow() {
            throw CLIError.parentGone
        }
        let report = try evaluate(in: EvalSession())
        if output.json {
            try JSONOutput.print(report)
        } else {
            print(report.text)
        }
    }

    /// The evaluation's report, reusing what `session` built for earlier requests with the same
    /// inputs, sandbox options and cascade (`eval-server`).
    func evaluate(in session: EvalSession) throws -> EvalReport {
        let catalog = InputCatalog.standard
        let source = try CandidateEvaluator.readSource(catalog.userPath(candidate))
        let loaded = try session.inputs(problem, try self.inputs.request(for: problem, heldOut: heldOut), catalog: catalog,
                                        digest: expectInputs)
        let inputs = loaded.inputs
        let built = try session.evaluator(sandbox)
        let evaluator = built.evaluator
        let options = try cascade.options(for: problem, catalog: catalog, timeoutGiven: sandbox.timeout != nil,
                                          levelNames: { (try problem.levelNames(inputs), try problem.onDemandLevels(inputs)) })
        let prepared = try session.prepared(loaded, by: built, options: options)
        let references = try cascade.references()
        if let unknown = references.keys.sorted().first(where: { !prepared.levelNames.contains($0) }) {
            throw CLIError.invalidValue("--gate-reference", unknown, "not a level this cascade runs (\(prepared.levelNames.joined(separator: ", ")))")
        }
        let outcome = try evaluator.evaluate(source: source, on: prepared, references: references)
        if outcome.failure?.kind == .compileError, let other = problem.otherProblem(suggestedBy: source) {
            Log.note("hint: the candidate conforms to \(other.protocolName), a \(other.rawValue) protocol: pass --problem \(other.rawValue)")
        }
        // A cheap level run alone asked for a cheap answer; the diagnostic must never cost the report.
        var publicEvaluator: PublicEvaluatorReport?
        if !noPublicEvaluator && (cascade.level ?? "fine") == "fine" {
            do {
                publicEvaluator = try evaluator.publicEvaluatorReport(source: source, on: inputs, after: outcome)
            } catch {
                Log.note("note: no public evaluator figure: \(CandidateText.escaped(String(describing: error)))")
            }
        }
        return EvalReport(candidate: candidate, inputs: inputs, outcome: outcome, publicEvaluator: publicEvaluator)
    }
}
