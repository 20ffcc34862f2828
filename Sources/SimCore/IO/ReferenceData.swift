import Foundation

/// Locates the public reference data that the simulators read in place (never copied).
///
/// The folder is `$SIM_CASCADE_DATA` when set, else `../shared/data` next to the repository
/// root. The repository root is the nearest ancestor of a search start that holds
/// `Package.swift`.
public enum ReferenceData {
    /// The environment variable that overrides the data location.
    public static let environmentVariable = "SIM_CASCADE_DATA"

    /// Returns the data folder.
    ///
    /// - Parameters:
    ///   - environment: usually `ProcessInfo.processInfo.environment`.
    ///   - searchStarts: folders from which to look upward for the repository root, e.g. the
    ///     working directory and the executable's folder.
    /// - Throws: `SimError.referenceDataNotFound` naming every place looked at.
    public static func locate(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        searchStarts: [URL]
    ) throws -> URL {
        var tried: [String] = []
        if let override = environment[environmentVariable], !override.isEmpty {
            let url = URL(fileURLWithPath: override, isDirectory: true).standardizedFileURL
            if isDirectory(url) { return url }
            throw SimError.referenceDataNotFound(tried: ["\(environmentVariable)=\(url.path)"])
        }
        for start in searchStarts {
            if let root = repositoryRoot(from: start) {
                let data = root.deletingLastPathComponent()
                    .appendingPathComponent("shared/data", isDirectory: true).standardizedFileURL
                if isDirectory(data) { return data }
                if !tried.contains(data.path) { tried.append(data.path) }
            }
        }
        if tried.isEmpty { tried.append("../shared/data (no repository root above the working directory)") }
        throw SimError.referenceDataNotFound(tried: tried)
    }

    /// Default search starts for a command-line process: the working directory and the folder of
    /// the running executable.
    public static var processSearchStarts: [URL] {
        var starts = [URL(fileURLWithPath: FileManager.default.currentDirectoryPath, isDirectory: true)]
        // /proc/self/exe rather than argv[0], which is a bare name when run from PATH.
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        starts.append(executable.deletingLastPathComponent())
        return starts
    }

    /// The nearest ancestor of `start` (inclusive) that contains `Package.swift`.
    static func repositoryRoot(from start: URL) -> URL? {
        var dir = start.standardizedFileURL
        while true {
            if FileManager.default.fileExists(atPath: dir.appendingPathComponent("Package.swift").path) {
                return dir
            }
            let parent = dir.deletingLastPathComponent()
            if parent.path == dir.path { return nil }
            dir = parent
        }
    }

    static func isDirectory(_ url: URL) -> Bool {
        var isDir: ObjCBool = false
        return FileManager.default.fileExists(atPath: url.path, isDirectory: &isDir) && isDir.boolValue
    }
}
