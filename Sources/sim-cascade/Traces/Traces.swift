import ArgumentParser
import Foundation
import Cascade
import Sim
import SimCore

struct Traces: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Fit and generate the embedded default traces (traces/), and name inputs by digest.",
        subcommands: [TracesFit.self, TracesGenerate.self, TracesDigest.self]
    )
}

/// What a scale-out executor's requests name inputs by: run on every node to see that they
/// evaluate on the same inputs.
struct TracesDigest: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "digest",
        abstract: "Print the digest of the inputs eval would load with these options.",
        discussion: """
            FNV-1a of the bytes of every file the inputs are loaded from, in load order (research \
            sets are generated at first use); settings that shape the inputs (--window, --model, \
            ...) are not in it: they travel as options beside it. `eval --expect-inputs DIGEST` \
            exits 3 when its inputs differ: that is how a scale-out worker refuses a request whose \
            inputs it does not have (docs/scale-out.md).
            """
    )

    @Option(help: "The problem.")
    var problem: CandidateProblem = ProblemRegistry.defaultProblem

    @OptionGroup var inputs: ProblemInputOptions

    @Flag(help: "The problem's held-out inputs.")
    var heldOut = false

    @Flag(help: "Print the digest, the settings and the files as JSON.")
    var json = false

    func run() throws {
        let loaded = try problem.loadInputs(try inputs.request(for: problem, heldOut: heldOut), catalog: .standard)
        let digest = try loaded.digest()
        guard json else { return print(digest) }
        struct Out: Encodable { var problem: String; var label: String; var digest: String; var settings: [String: String]; var files: [String] }
        try JSONOutput.print(Out(problem: problem.rawValue, label: loaded.label, digest: digest, settings: loaded.sources?.settings ?? [:],
                                 files: loaded.sources?.files.map(\.path) ?? []))
    }
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
        discussion: """
            Output is byte-for-byte reproducible from the manifest; --check compares instead of \
            writing. Research-scale inputs too large to commit (e.g. traces/spot/research/) are \
            generated into the cache folder at first use instead: here their pins (files.fnv1a: \
            hash, size and name of every file) are rewritten, or with --check compared.
            """
    )

    @Argument(help: "Problem; default: all.")
    var problem: CandidateProblem?

    @Option(help: "Manifest to generate from (needs a problem; default: traces/PROBLEM/manifest.json, then the research manifests).")
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
            } else {
                try write(files, to: folder)
                print("\(name): wrote \(files.count) files to \(folder.path)")
            }
            guard manifest == nil else { continue }
            for research in problem.definition.inputFiles.generatedAtFirstUse {
                mismatches += try pin(problem, manifest: try catalog.packageFile(research))
            }
        }
        if mismatches > 0 { throw ExitCode(1) }
    }

    /// Checks or rewrites the pins of a manifest generated at first use (and fills the cache
    /// with its files); the number of mismatches.
    private func pin(_ problem: CandidateProblem, manifest: URL) throws -> Int {
        let files = try problem.generatedFiles(manifest: manifest)
        let pins = GeneratedInputCache.pins(files)
        let pinFile = manifest.deletingLastPathComponent().appendingPathComponent(GeneratedInputCache.pinsName)
        let bytes = files.reduce(0) { $0 + $1.contents.utf8.count }
        let what = "\(problem.rawValue): \(files.count) files, \(bytes / 1_000_000) MB generated at first use from \(manifest.path)"
        if check {
            let matches = (try? String(contentsOf: pinFile, encoding: .utf8)) == pins
            print("\(what) \(matches ? "match" : "differ from") \(pinFile.path)")
            return matches ? 0 : 1
        }
        do {
            try pins.write(to: pinFile, atomically: true, encoding: .utf8)
        } catch {
            throw CLIError.cannotWrite(pinFile.path, reason: "\(error.localizedDescription)")
        }
        let cached = try GeneratedInputCache().folder(problem: problem.rawValue, manifest: manifest) { _ in files }
        print("\(what): pinned in \(pinFile.path), cached in \(cached.path)")
        return 0
    }

    private func write(_ files: [GeneratedFile], to folder: URL) throws {
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
    }
}
