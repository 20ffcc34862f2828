import ArgumentParser
import CandidateAPI
import Cascade
import Foundation
import Sim
import SimCore

struct Calibrate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure how far each cheap level ranks candidates like the fine level, and recommend gates.",
        discussion: """
            Builds a pool of candidates (the baselines, systematic variants of the template, and at \
            most 20 % bad ones), runs every level on each — and the fine level on the held-out set — \
            and writes PROBLEM.md, PROBLEM.svg and PROBLEM.json to --out. `eval` reads the \
            recommended gates from fidelity-reports/PROBLEM.json.
            """
    )

    @Option(help: "The problem.")
    var problem: CandidateProblem = ProblemRegistry.defaultProblem

    @Option(help: "Candidates in the pool (a full calibration uses at least 100).")
    var pool: Int = 100

    @OptionGroup var inputs: ProblemInputOptions

    @Option(help: "A held-out input file (default: the problem's embedded held-out inputs, traces/PROBLEM/*-heldout*; eplb: NAME-heldout.json beside the search history).")
    var heldOut: String?

    @Option(help: "The level the others are measured against (default: the problem's last; txn: system, on PostgreSQL; fine: the models only).")
    var target: String?

    @Option(help: "Output folder (default: fidelity-reports/ of this checkout).")
    var out: String?

    @Flag(help: "Print the report as JSON on stdout (instead of the summary).")
    var json = false

    @Option(help: ExecutorChoice.help)
    var executor: ExecutorChoice = .local

    @Option(help: "Candidates evaluated at once (default: 1 here, so seconds are measured alone; with --executor, this machine's cores).")
    var workers: Int?

    func validate() throws {
        if let workers, !(1...256).contains(workers) { throw CLIError.invalidValue("--workers", "\(workers)", "must be 1…256") }
    }

    func run() throws {
        let catalog = InputCatalog.standard
        let request = try inputs.request(for: problem)
        func poolOf(_ size: Int) -> [PoolCandidate] { problem.calibrationPool(size: size) }
        // The count first: a pool is built from it.
        let most = poolOf(100_000).count
        guard most >= 5, (5...most).contains(pool) else {
            throw CascadeError.invalidBudget(name: "--pool", value: "\(pool)", reason: most >= 5 ? "must be between 5 and \(most)"
                                                : "\(problem.rawValue) has only \(most) calibration candidates; a calibration needs 5")
        }
        let candidates = poolOf(pool)
        let folder = try out.map(catalog.userPath) ?? catalog.packageFile("fidelity-reports")

        // The inputs before the sandbox: bad input is the user's error, whatever the machine.
        let (search, held) = try problem.calibrationInputs(search: request, heldOutFile: heldOut, catalog: catalog)
        let evaluator = try CandidateEvaluator.standard(allowUnsafe: false)
        Log.warnings(of: evaluator.sandbox)
        let calibration = try Calibration(evaluator: evaluator, search: search, heldOut: held, target: target)
        let name = problem.rawValue
        var remote: RemoteCalibration?
        let workers = workers ?? (executor == .local ? 1 : max(1, ProcessInfo.processInfo.activeProcessorCount))
        if executor != .local {
            remote = try RemoteCalibration(executor, workers: workers, problem: problem, search: request, heldOutFile: heldOut, catalog: catalog)
            Log.note("calibrate: executor \(executor): \(remote!.executor.ready)")
        }
        let report = try calibration.run(pool: candidates, workers: workers, remote: remote) { i, candidate in
            Log.note("calibrate: \(i + 1)/\(candidates.count) \(candidate)")
        }
        remote?.executor.close()
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            try (encoder.encode(report) + Data("\n".utf8)).write(to: folder.appendingPathComponent("\(name).json"))
            try Data(CalibrationMarkdown.render(report).utf8).write(to: folder.appendingPathComponent("\(name).md"))
            try Data(CalibrationPlot.render(report).utf8).write(to: folder.appendingPathComponent("\(name).svg"))
        } catch {
            throw CLIError.cannotWrite(folder.path, reason: error.localizedDescription)
        }
        Log.note("calibrate: wrote \(name).md, \(name).svg and \(name).json to \(folder.path)")
        // Standard output is the JSON alone when asked for (a script parses it whole).
        if json { return try JSONOutput.print(report) }
        print(CalibrationMarkdown.summary(report))
    }
}
