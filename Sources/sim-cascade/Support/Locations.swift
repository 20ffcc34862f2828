import Cascade
import Foundation
import Sim
import SimCore

/// Where the command-line tool finds files: the working directory, the reference data, the
/// repository's own `traces/`.
enum Locations {
    static var workingDirectory: URL {
        URL(fileURLWithPath: FileManager.default.currentDirectoryPath, isDirectory: true)
    }

    /// The reference data folder, or an error naming where it was looked for.
    static func referenceData() throws -> URL {
        try ReferenceData.locate(searchStarts: ReferenceData.processSearchStarts)
    }

    /// Resolves a spot input file: as given, else inside the reference data's
    /// `spot/single_region/`, else inside the data folder itself.
    static func spotFile(_ path: String) throws -> URL {
        try dataFile(path, under: ["spot/single_region"])
    }

    /// A multi-region scenario file (default: the embedded search set).
    static func spotMultiScenarios(_ path: String?) throws -> URL {
        guard let path else { return try ProjectPaths.root().appendingPathComponent("traces/spot-multi/scenarios-default.json") }
        return try dataFile(path, under: ["spot/multi_region"])
    }

    static func heldOutSpotMultiScenarios() throws -> URL {
        try ProjectPaths.root().appendingPathComponent("traces/spot-multi/scenarios-heldout.json")
    }

    /// Resolves any input file: as given, else inside each of `subfolders` of the reference
    /// data, else inside the data folder itself (so that `txn/workloads.json` or
    /// `eplb/sample_load_history.json` name reference files). When the file is nowhere and the
    /// data folder is missing too, the error says so.
    static func dataFile(_ path: String, under subfolders: [String] = []) throws -> URL {
        var fallbacks: [URL] = []
        var dataProblem: SimError?
        do {
            let data = try referenceData()
            fallbacks = subfolders.map { data.appendingPathComponent($0) } + [data]
        } catch let error as SimError {
            dataProblem = error
        }
        do {
            return try FileResolver(workingDirectory: workingDirectory, fallbacks: fallbacks).resolve(path)
        } catch SimError.fileNotFound(let name, var tried) where dataProblem != nil {
            tried.append(dataProblem!.description)
            throw SimError.fileNotFound(name, tried: tried)
        }
    }

    /// A file of the repository (e.g. an embedded default input).
    static func defaultFile(_ relativePath: String) throws -> URL {
        try ProjectPaths.root().appendingPathComponent(relativePath)
    }

    /// The embedded default prefix tables, `traces/prefix/*.csv` in name order — the search set,
    /// or with `heldOut` the `*-heldout.csv` tables, never seen in search.
    static func defaultPrefixTables(heldOut: Bool = false) throws -> [URL] {
        let folder = try defaultFile("traces/prefix")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        let tables = names.filter { $0.hasSuffix(".csv") && $0.hasSuffix("-heldout.csv") == heldOut }.sorted()
            .map { folder.appendingPathComponent($0) }
        guard !tables.isEmpty else {
            throw SimError.fileNotFound(heldOut ? "traces/prefix/*-heldout.csv" : "traces/prefix/*.csv", tried: [folder.path])
        }
        return tables
    }

    /// The embedded default spot scenario set (the search set).
    static func defaultSpotScenarios() throws -> URL {
        try ProjectPaths.root().appendingPathComponent("traces/spot/scenarios-default.json")
    }

    /// The embedded held-out spot scenario set: traces from another seed, never seen in search.
    static func heldOutSpotScenarios() throws -> URL {
        try ProjectPaths.root().appendingPathComponent("traces/spot/scenarios-heldout.json")
    }

    /// `file` (a gates file), else the calibrated gates of the checkout the binary was built
    /// from (`fidelity-reports/PROBLEM.json`), else the built-in defaults.
    static func gates(for problem: CandidateProblem, file: String?) throws -> GatesFile {
        if let file { return try GatesFile.load(from: URL(fileURLWithPath: file, relativeTo: workingDirectory)) }
        // The checkout the binary was built from (not the working directory's).
        let binary = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
        if let root = try? ProjectPaths.root(searchStarts: [binary]),
           case let calibrated = root.appendingPathComponent("fidelity-reports/\(problem.rawValue).json"),
           FileManager.default.fileExists(atPath: calibrated.path) {
            return try GatesFile.load(from: calibrated)
        }
        return GatesFile(gates: DefaultGates.of(problem))
    }
}
