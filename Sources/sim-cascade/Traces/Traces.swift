import ArgumentParser
import Foundation
import Sim
import SimCore

struct Traces: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Fit and generate the embedded default traces (traces/).",
        subcommands: [TracesFit.self, TracesGenerate.self]
    )
}

/// The default manifest path, or the one given.
private func manifestURL(_ path: String?) throws -> URL {
    if let path { return URL(fileURLWithPath: path, relativeTo: Locations.workingDirectory).standardizedFileURL }
    return try ProjectPaths.root().appendingPathComponent("traces/spot/manifest.json")
}

struct TracesFit: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fit",
        abstract: "Fit the spot trace model to the reference base traces and store it in a manifest.",
        discussion: """
            Fits one profile per base trace in the reference data's spot/single_region/base/ and \
            writes them into the manifest, keeping its other fields (or creating it with defaults).
            """
    )

    @Option(help: "spot (the single-region base traces) or spot-multi (the multi-region traces).")
    var problem: String = "spot"

    @Option(help: "Manifest to update (default: traces/PROBLEM/manifest.json).")
    var manifest: String?

    @Flag(help: "Print the fitted profiles as JSON instead of writing the manifest.")
    var json = false

    func run() throws {
        guard problem == "spot" || problem == "spot-multi" else {
            throw CLIError.invalidValue("--problem", problem, "must be spot or spot-multi")
        }
        if problem == "spot-multi" { return try fitMultiRegion() }
        let base = try Locations.referenceData().appendingPathComponent("spot/single_region/base")
        let names = try FileManager.default.contentsOfDirectory(atPath: base.path)
            .filter { $0.hasSuffix(".json") }.sorted()
        guard !names.isEmpty else { throw SimError.fileNotFound(base.path + "/*.json", tried: [base.path]) }
        let profiles = try names.map { name -> SpotTraceProfile in
            let trace = try SpotTrace.load(from: base.appendingPathComponent(name))
            let env = String(name.dropLast(".json".count))
            return try SpotTraceProfile.fit(trace, name: "synthetic-\(env)",
                                            fittedTo: "spot/single_region/base/\(name)")
        }
        if json { return try JSONOutput.print(profiles) }

        let url = try manifestURL(manifest)
        var result = FileManager.default.fileExists(atPath: url.path)
            ? try SpotTraceManifest.load(from: url) : Self.defaultManifest(profiles: profiles)
        result.profiles = profiles
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        do {
            try (encoder.encode(result) + Data("\n".utf8)).write(to: url)
        } catch {
            throw CLIError.cannotWrite(url.path, reason: "\(error.localizedDescription)")
        }
        print("wrote \(profiles.count) fitted profiles to \(url.path)")
    }

    /// One region model per folder of the reference multi-region traces, written into
    /// traces/spot-multi/manifest.json (its other fields kept, or defaults).
    func fitMultiRegion() throws {
        let folder = "spot/multi_region/converted_multi_region_aligned"
        let base = try Locations.referenceData().appendingPathComponent(folder)
        let regionNames = try FileManager.default.contentsOfDirectory(atPath: base.path).filter { !$0.hasPrefix(".") }.sorted()
        guard !regionNames.isEmpty else { throw SimError.fileNotFound(base.path + "/*/", tried: [base.path]) }
        let regions = try regionNames.map { name in
            let files = try FileManager.default.contentsOfDirectory(atPath: base.appendingPathComponent(name).path)
                .filter { $0.hasSuffix(".json") }.sorted()
            let traces = try files.map { try SpotTrace.load(from: base.appendingPathComponent(name).appendingPathComponent($0)) }
            return SpotMultiTraceGenerator.fit(region: "synthetic-\(name)", fittedTo: "\(folder)/\(name)", traces: traces)
        }
        if json { return try JSONOutput.print(regions) }
        let url = try manifest.map { URL(fileURLWithPath: $0, relativeTo: Locations.workingDirectory).standardizedFileURL }
            ?? ProjectPaths.root().appendingPathComponent("traces/spot-multi/manifest.json")
        var result = FileManager.default.fileExists(atPath: url.path)
            ? try SpotMultiTraceManifest.load(from: url) : Self.defaultMultiRegionManifest(regions: regions)
        result.regions = regions
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try (encoder.encode(result) + Data("\n".utf8)).write(to: url)
        } catch {
            throw CLIError.cannotWrite(url.path, reason: "\(error.localizedDescription)")
        }
        print("wrote \(regions.count) fitted regions to \(url.path)")
    }

    /// The public evaluator's job and scenario shapes, over the synthetic regions.
    static func defaultMultiRegionManifest(regions: [SpotMultiTraceManifest.Region]) -> SpotMultiTraceManifest {
        let names = regions.map(\.name)
        func pick(_ indices: [Int]) -> [String] { indices.filter { $0 < names.count }.map { names[$0] } }
        return SpotMultiTraceManifest(
            generator: SpotMultiTraceManifest.currentGenerator, gapSeconds: 195, ticksPerTrace: 1107, tracesPerSet: 4,
            taskHours: 48, deadlineHours: 52, restartOverheadHours: 0.2, regions: regions,
            scenarios: [.init(name: "2_zones_same_region", regions: pick([0, 1])), .init(name: "2_regions_east_west", regions: pick([4, 6])),
                        .init(name: "3_regions_diverse", regions: pick([0, 5, 8])), .init(name: "3_zones_same_region", regions: pick([0, 1, 2])),
                        .init(name: "5_regions_high_diversity", regions: pick([0, 3, 6, 7, 5])), .init(name: "all_regions", regions: names)],
            search: .init(file: "scenarios-default.json", name: "default-multi", folder: "search", seed: 20_261_127),
            heldOut: .init(file: "scenarios-heldout.json", name: "heldout-multi", folder: "heldout", seed: 20_261_128))
    }

    static func defaultManifest(profiles: [SpotTraceProfile]) -> SpotTraceManifest {
        SpotTraceManifest(
            generator: SpotTraceManifest.currentGenerator, seed: 20_261_126, gapSeconds: 600,
            ticksPerTrace: 1781, tracesPerProfile: 2, profiles: profiles,
            scenarios: .init(file: "scenarios-default.json", name: "default-spot", windowsPerTrace: 10,
                             windowTicks: 554, taskHours: 48, deadlineHours: [52, 70, 92],
                             restartOverheadHours: [0.02, 0.2, 0.4]))
    }
}

struct TracesGenerate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Regenerate the embedded default inputs (traces/PROBLEM/) from their manifests.",
        discussion: "Output is byte-for-byte reproducible from the manifest; --check compares instead of writing."
    )

    @Argument(help: "Problem (\(GeneratedInputs.problems.joined(separator: ", "))); default: all.")
    var problem: String?

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
        for name in problem.map({ [$0] }) ?? GeneratedInputs.problems {
            let url = try manifest.map { URL(fileURLWithPath: $0, relativeTo: Locations.workingDirectory).standardizedFileURL }
                ?? ProjectPaths.root().appendingPathComponent("traces/\(name)/manifest.json")
            let folder = out.map { URL(fileURLWithPath: $0, relativeTo: Locations.workingDirectory).standardizedFileURL }
                ?? url.deletingLastPathComponent()
            let files = try GeneratedInputs.files(problem: name, manifest: url)
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
