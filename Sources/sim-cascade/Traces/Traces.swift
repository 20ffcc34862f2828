import ArgumentParser
import Foundation
import Cascade
import Sim
import SimCore

struct Traces: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Fit and generate the embedded default traces (traces/).",
        subcommands: [TracesFit.self, TracesGenerate.self]
    )
}

struct TracesFit: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fit",
        abstract: "Fit a problem's trace model to the reference traces and store it in its manifest.",
        discussion: """
            spot: one profile per base trace in the reference data's spot/single_region/base/; \
            spot-multi: one region model per folder of its multi-region traces. The fit is written \
            into the manifest, keeping its other fields (or creating it with defaults).
            """
    )

    @Option(help: "A problem whose traces are fitted to reference data (spot, spot-multi).")
    var problem: CandidateProblem = ProblemRegistry.defaultProblem

    @Option(help: "Manifest to update (default: traces/PROBLEM/manifest.json).")
    var manifest: String?

    @Flag(help: "Print the fitted model as JSON instead of writing the manifest.")
    var json = false

    func run() throws {
        let catalog = InputCatalog.standard
        let url = try manifest.map(catalog.userPath) ?? catalog.packageFile(problem.definition.inputFiles.tracesFolder + "/manifest.json")
        guard let fit = try problem.fitTraces(referenceData: try catalog.referenceData(), manifest: url) else {
            throw CLIError.invalidValue("--problem", problem.rawValue, "has no traces fitted to reference data")
        }
        if json { return try JSONOutput.print(fit.fitted) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try (encoder.encode(fit.manifest) + Data("\n".utf8)).write(to: url)
        } catch {
            throw CLIError.cannotWrite(url.path, reason: "\(error.localizedDescription)")
        }
        print("wrote \(fit.summary) to \(url.path)")
    }
}

struct TracesGenerate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Regenerate the embedded default inputs (traces/PROBLEM/) from their manifests.",
        discussion: "Output is byte-for-byte reproducible from the manifest; --check compares instead of writing."
    )

    @Argument(help: "Problem; default: all.")
    var problem: CandidateProblem?

    @Option(help: "Manifest to generate from (needs a problem; default: traces/PROBLEM/manifest.json).")
    var manifest: String?

    @Option(help: "Output folder (default: the manifest's folder).")
    var out: String?

    @Flag(help: "Compare with the files on disk instead of writing; exit 1 if any differs.")
    var check = false

    func run() throws {
        if problem == nil && (manifest != nil || out != nil) {
            throw CLIError.missingOption("a problem", because: "with --manifest or --out")
        }
        var mismatches = 0
        let catalog = InputCatalog.standard
        for problem in problem.map({ [$0] }) ?? CandidateProblem.allCases {
            let name = problem.rawValue
            let url = try manifest.map(catalog.userPath)
                ?? catalog.packageFile(problem.definition.inputFiles.tracesFolder + "/manifest.json")
            let folder = out.map(catalog.userPath) ?? url.deletingLastPathComponent()
            let files = try problem.generatedFiles(manifest: url)
            if check {
                // Byte comparison: String equality would accept Unicode-equivalent text.
                let differing = files.filter { file in
                    FileManager.default.contents(atPath: folder.appendingPathComponent(file.name).path) != Data(file.contents.utf8)
                }
                for file in differing { print("differs: \(folder.appendingPathComponent(file.name).path)") }
                print("\(name): \(files.count - differing.count) of \(files.count) files match \(url.path)")
                mismatches += differing.count
                continue
            }
            do {
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                for file in files {
                    let url = folder.appendingPathComponent(file.name)
                    try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                    try Data(file.contents.utf8).write(to: url)
                }
            } catch {
                throw CLIError.cannotWrite(folder.path, reason: "\(error.localizedDescription)")
            }
            print("\(name): wrote \(files.count) files to \(folder.path)")
        }
        if mismatches > 0 { throw ExitCode(1) }
    }
}
