import ArgumentParser
import Cascade
import Foundation
import Sim

struct Calibrate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure how far each cheap level ranks candidates like the fine level, and recommend gates.",
        discussion: """
            Builds a pool of candidates (the baselines, systematic variants of greedy, and at most \
            20 % bad ones), runs every level on each — and the fine level on the held-out set — \
            and writes PROBLEM.md, PROBLEM.svg and PROBLEM.json to --out. `eval` reads the \
            recommended gates from fidelity-reports/PROBLEM.json.
            """
    )

    @Option(help: "Problem (spot).")
    var problem: String = "spot"

    @Option(help: "Candidates in the pool (a full calibration uses at least 100).")
    var pool: Int = 100

    @Option(help: "Search scenario file (default: traces/spot/scenarios-default.json).")
    var scenarios: String?

    @Option(help: "Held-out scenario file (default: traces/spot/scenarios-heldout.json).")
    var heldOut: String?

    @Option(help: "Output folder (default: fidelity-reports/ of this checkout).")
    var out: String?

    @Flag(help: "Print the report as JSON on stdout as well.")
    var json = false

    func run() throws {
        guard try CandidateProblem(named: problem) == .spot else {
            throw CascadeError.invalidBudget(name: "--problem", value: problem, reason: "only spot has levels so far")
        }
        let candidates = SpotCandidatePool.make(size: pool)
        guard pool >= 5, candidates.count == pool else {
            throw CascadeError.invalidBudget(name: "--pool", value: "\(pool)",
                                             reason: "must be between 5 and \(SpotCandidatePool.make(size: 100_000).count)")
        }
        let search = try SpotScenarioSet.load(from: try scenarios.map(Locations.spotFile) ?? Locations.defaultSpotScenarios())
        let held = try SpotScenarioSet.load(from: try heldOut.map(Locations.spotFile) ?? Locations.heldOutSpotScenarios())
        let folder = try out.map { URL(fileURLWithPath: $0, relativeTo: Locations.workingDirectory).standardizedFileURL }
            ?? Locations.defaultFile("fidelity-reports")

        let sandbox = try Sandbox.make(allowUnsafe: false, limits: SandboxLimits())
        let cacheRoot = CandidateCompiler.defaultCacheRoot
        let compiler = CandidateCompiler(toolchain: try CandidateToolchain.locate(cacheRoot: cacheRoot), cacheRoot: cacheRoot)
        let calibration = Calibration(evaluator: CandidateEvaluator(compiler: compiler, sandbox: sandbox), search: search, heldOut: held)
        let report = try calibration.run(pool: candidates) { i, name in
            Log.note("calibrate: \(i + 1)/\(candidates.count) \(name)")
        }
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            try (encoder.encode(report) + Data("\n".utf8)).write(to: folder.appendingPathComponent("\(problem).json"))
            try Data(CalibrationMarkdown.render(report).utf8).write(to: folder.appendingPathComponent("\(problem).md"))
            try Data(CalibrationPlot.render(report).utf8).write(to: folder.appendingPathComponent("\(problem).svg"))
        } catch {
            throw CLIError.cannotWrite(folder.path, reason: error.localizedDescription)
        }
        if json { try JSONOutput.print(report) }
        Log.note("calibrate: wrote \(problem).md, \(problem).svg and \(problem).json to \(folder.path)")
        print(CalibrationMarkdown.summary(report))
    }
}
