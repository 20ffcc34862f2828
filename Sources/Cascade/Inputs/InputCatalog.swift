import Foundation
import Sim
import SimCore

/// Where input files are found: as given (relative to the working directory), the reference
/// data (`$SIM_CASCADE_DATA`, else `../shared/data`), and the package's own embedded inputs under
/// `traces/`. Each problem names its default, held-out and reference files once, in its folder;
/// every lookup goes through here.
public struct InputCatalog: Sendable {
    /// What relative paths given by the user are relative to.
    public var workingDirectory: URL
    /// Where the lookups note the files they resolve, when the catalog is `recordingReads()`'s.
    let reads: InputReads?

    public init(workingDirectory: URL) {
        self.workingDirectory = workingDirectory
        reads = nil
    }

    private init(workingDirectory: URL, reads: InputReads) {
        self.workingDirectory = workingDirectory
        self.reads = reads
    }

    /// This catalog, noting every input file a lookup resolves (the inputs' digest hashes them).
    func recordingReads() -> InputCatalog { InputCatalog(workingDirectory: workingDirectory, reads: InputReads()) }

    /// `url`, noted as read when the catalog records: for a file a problem resolves beside one
    /// the catalog gave (a held-out twin, a merge list of the reference data).
    public func noted(_ url: URL) -> URL {
        reads?.add(url)
        return url
    }

    /// The process's working directory.
    public static var standard: InputCatalog {
        InputCatalog(workingDirectory: URL(fileURLWithPath: FileManager.default.currentDirectoryPath, isDirectory: true))
    }

    /// A path the user gave (an output, a candidate), made absolute; no lookup.
    public func userPath(_ path: String) -> URL {
        URL(fileURLWithPath: path, relativeTo: workingDirectory).standardizedFileURL
    }

    /// The reference data folder.
    /// - Throws: `SimError.referenceDataNotFound` naming where it was looked for.
    public func referenceData() throws -> URL {
        try ReferenceData.locate(searchStarts: ReferenceData.processSearchStarts)
    }

    /// A file of the package (an embedded input, a candidate API source).
    /// - Throws: `SimError.fileNotFound` when the process runs outside the package.
    public func packageFile(_ relativePath: String) throws -> URL {
        noted(try ProjectPaths.root().appendingPathComponent(relativePath))
    }

    /// Resolves an input file: as given, else inside each of `subfolders` of the reference data,
    /// else inside the data folder itself (so that `txn/workloads.json` names a reference file).
    /// When the file is nowhere and the data folder is missing too, the error says so.
    /// - Throws: `SimError.fileNotFound` listing every place looked at.
    public func dataFile(_ path: String, under subfolders: [String] = []) throws -> URL {
        var fallbacks: [URL] = []
        var dataProblem: SimError?
        do {
            let data = try referenceData()
            fallbacks = subfolders.map { data.appendingPathComponent($0) } + [data]
        } catch let error as SimError {
            dataProblem = error
        }
        do {
            return noted(try FileResolver(workingDirectory: workingDirectory, fallbacks: fallbacks).resolve(path))
        } catch SimError.fileNotFound(let name, var tried) where dataProblem != nil {
            tried.append(dataProblem!.description)
            throw SimError.fileNotFound(name, tried: tried)
        }
    }

    /// The embedded files of `folder` (relative to the package) ending in `suffix`, in name
    /// order; those ending in `-heldout` + `suffix` only when `heldOut`, else none of them.
    /// - Throws: `SimError.fileNotFound` when there are none.
    public func packageFiles(in folder: String, suffix: String, heldOut: Bool) throws -> [URL] {
        // The folder itself is not an input: its files are, noted by `files`.
        try files(in: try ProjectPaths.root().appendingPathComponent(folder), suffix: suffix, heldOut: heldOut)
    }

    /// `packageFiles` of any folder (e.g. one generated at first use).
    public func files(in url: URL, suffix: String, heldOut: Bool) throws -> [URL] {
        let folder = url.path
        let names = (try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []
        let files = names.filter { $0.hasSuffix(suffix) && $0.hasSuffix("-heldout" + suffix) == heldOut }.sorted()
            .map { url.appendingPathComponent($0) }
        guard !files.isEmpty else {
            throw SimError.fileNotFound("\(folder)/*\(heldOut ? "-heldout" : "")\(suffix)", tried: [folder])
        }
        files.forEach { _ = noted($0) }
        return files
    }

    /// `file` (a gates file), else the calibrated gates of the checkout the binary was built
    /// from — for `evolve`, `fidelity-reports/PROBLEM-evolve.json` (calibrated on an evolve run's
    /// children) when there is one; else `fidelity-reports/PROBLEM.json` — else the problem's
    /// default gates.
    /// - Throws: `CascadeError.invalidBudget` for a gates file that does not parse.
    public func gates(for problem: CandidateProblem, file: String?, evolve: Bool = false) throws -> GatesFile {
        if let file { return try GatesFile.load(from: userPath(file)) }
        // The checkout the binary was built from (not the working directory's).
        let binary = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
        if let root = try? ProjectPaths.root(searchStarts: [binary]) {
            for name in (evolve ? ["\(problem.rawValue)-evolve", problem.rawValue] : [problem.rawValue]) {
                let calibrated = root.appendingPathComponent("fidelity-reports/\(name).json")
                if FileManager.default.fileExists(atPath: calibrated.path) { return try GatesFile.load(from: calibrated) }
            }
        }
        return GatesFile(gates: problem.definition.defaultGates)
    }
}

/// The files a load resolved, in the order it resolved them (each once), each with its
/// signature when resolved — before it is read, so that a change after it shows.
final class InputReads: @unchecked Sendable {
    private let lock = NSLock()
    private var urls: [URL] = []
    private var signatures: [String] = []

    /// Notes `url` unless it is a folder (whose files, when inputs, are noted one by one).
    func add(_ url: URL) {
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder), isFolder.boolValue { return }
        lock.lock()
        defer { lock.unlock() }
        let file = url.standardizedFileURL
        guard !urls.contains(file) else { return }
        urls.append(file)
        signatures.append(InputSources.signature(of: file))
    }

    var files: [URL] {
        lock.lock()
        defer { lock.unlock() }
        return urls
    }

    var signature: [String] {
        lock.lock()
        defer { lock.unlock() }
        return signatures
    }
}
