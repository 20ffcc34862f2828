import ArgumentParser
import CandidateAPI
import Cascade
import Foundation
import Sim

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
    var problem: CandidateProblem = .spot

    @Option(help: "Candidates in the pool (a full calibration uses at least 100).")
    var pool: Int = 100

    @Option(help: "spot, spot-multi: search scenario file (default: traces/PROBLEM/scenarios-default.json).")
    var scenarios: String?

    @Option(help: "spot-multi: reference or corrected (default).")
    var model: MultiRegionModel = .corrected

    @Option(help: "spot, spot-multi: held-out scenario file (default: traces/PROBLEM/scenarios-heldout.json); txn: held-out workloads (default: traces/txn/workloads-heldout.json); prefix: one held-out table (default: all of traces/prefix/*-heldout.csv); eplb: a held-out history (default: NAME-heldout.json beside the search history).")
    var heldOut: String?

    @Option(help: "txn: search workloads (default: traces/txn/workloads-default.json); prefix: one search table (default: traces/prefix/*.csv); eplb: a load history (default: traces/eplb/v3-history.json).")
    var input: String?

    @Option(help: "Output folder (default: fidelity-reports/ of this checkout).")
    var out: String?

    @Flag(help: "Print the report as JSON on stdout as well.")
    var json = false

    func run() throws {
        let scenarioProblem = problem == .spot || problem == .spotMulti
        if scenarioProblem && input != nil { throw CLIError.conflictingOptions("--problem \(problem.rawValue)", "--input (use --scenarios)") }
        if !scenarioProblem && scenarios != nil { throw CLIError.conflictingOptions("--problem \(problem.rawValue)", "--scenarios (use --input)") }
        func poolOf(_ size: Int) -> [PoolCandidate] {
            switch problem {
            case .spot: return SpotCandidatePool.make(size: size)
            case .spotMulti: return SpotMultiCandidatePool.make(size: size)
            case .txn: return TxnCandidatePool.make(size: size)
            case .prefix: return PrefixCandidatePool.make(size: size)
            case .eplb: return EPLBCandidatePool.make(size: size)
            }
        }
        // The count first: a pool is built from it.
        let most = poolOf(100_000).count
        guard (5...most).contains(pool) else {
            throw CascadeError.invalidBudget(name: "--pool", value: "\(pool)", reason: "must be between 5 and \(most)")
        }
        let candidates = poolOf(pool)
        let folder = try out.map { URL(fileURLWithPath: $0, relativeTo: Locations.workingDirectory).standardizedFileURL }
            ?? Locations.defaultFile("fidelity-reports")

        let evaluator = try CandidateEvaluator.standard(allowUnsafe: false)
        Log.warnings(of: evaluator.sandbox)
        let calibration: Calibration
        switch problem {
        case .spot:
            let search = try SpotScenarioSet.load(from: try scenarios.map(Locations.spotFile) ?? Locations.defaultSpotScenarios())
            let held = try SpotScenarioSet.load(from: try heldOut.map(Locations.spotFile) ?? Locations.heldOutSpotScenarios())
            calibration = try .spot(evaluator: evaluator, search: search, heldOut: held)
        case .spotMulti:
            let search = try MultiRegionScenarioSet.load(from: try Locations.spotMultiScenarios(scenarios))
            let held = try MultiRegionScenarioSet.load(from: try heldOut.map { try Locations.spotMultiScenarios($0) }
                ?? Locations.heldOutSpotMultiScenarios())
            calibration = .spotMulti(evaluator: evaluator, search: search, heldOut: held, model: model)
        case .eplb:
            let search = try input.map { try Locations.dataFile($0) } ?? Locations.defaultFile("traces/eplb/v3-history.json")
            let held = try heldOut.map { try Locations.dataFile($0) }
                ?? Locations.defaultFile("traces/eplb/" + EPLBHistoryManifest.heldOutName(search.lastPathComponent))
            func history(_ url: URL) throws -> (windows: [[[Double]]], shape: EPLBShape) {
                guard case .history(let h) = try EPLBInputFile.load(from: url), let shape = h.shape else {
                    throw CascadeError.invalidBudget(name: "--input", value: url.path, reason: "calibration needs a load history that names its shape")
                }
                return (h.windows(size: h.window ?? 100), shape)
            }
            let (searchWindows, shape) = try history(search)
            let (heldWindows, heldShape) = try history(held)
            guard heldShape == shape else {
                throw CascadeError.invalidBudget(name: "--held-out", value: held.path, reason: "has another shape than the search history")
            }
            calibration = .eplb(evaluator: evaluator, search: (search.lastPathComponent, searchWindows),
                                heldOut: (held.lastPathComponent, heldWindows), shape: shape)
        case .prefix:
            func tables(_ urls: [URL]) throws -> [(name: String, table: PrefixTable)] {
                try urls.map { (name: $0.lastPathComponent, table: try PrefixTableFile.load(from: $0)) }
            }
            let search = try input.map { [try Locations.dataFile($0)] } ?? Locations.defaultPrefixTables()
            let held = try heldOut.map { [try Locations.dataFile($0)] } ?? Locations.defaultPrefixTables(heldOut: true)
            calibration = .prefix(evaluator: evaluator,
                                  search: (search.map(\.lastPathComponent).joined(separator: ", "), try tables(search)),
                                  heldOut: (held.map(\.lastPathComponent).joined(separator: ", "), try tables(held)))
        default:
            let search = try input.map { try Locations.dataFile($0) } ?? Locations.defaultFile("traces/txn/workloads-default.json")
            let held = try heldOut.map { try Locations.dataFile($0) } ?? Locations.defaultFile("traces/txn/workloads-heldout.json")
            calibration = .txn(evaluator: evaluator,
                               search: (search.lastPathComponent, try TxnWorkloadFile.load(from: search)),
                               heldOut: (held.lastPathComponent, try TxnWorkloadFile.load(from: held)))
        }
        let name = problem.rawValue
        let report = try calibration.run(pool: candidates) { i, candidate in
            Log.note("calibrate: \(i + 1)/\(candidates.count) \(candidate)")
        }
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
        if json { try JSONOutput.print(report) }
        Log.note("calibrate: wrote \(name).md, \(name).svg and \(name).json to \(folder.path)")
        print(CalibrationMarkdown.summary(report))
    }
}
