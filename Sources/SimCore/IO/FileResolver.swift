import Foundation

/// Resolves a file named on the command line: absolute paths as given; relative paths against the
/// working directory first, then against each fallback folder (e.g. the reference data's
/// `spot/single_region`). Lets `--trace base/x.json` name reference files without a long prefix.
public struct FileResolver: Sendable {
    public var workingDirectory: URL
    public var fallbacks: [URL]

    public init(workingDirectory: URL, fallbacks: [URL] = []) {
        self.workingDirectory = workingDirectory
        self.fallbacks = fallbacks
    }

    /// - Throws: `SimError.fileNotFound` listing every place looked at.
    public func resolve(_ path: String) throws -> URL {
        if path.hasPrefix("/") {
            let url = URL(fileURLWithPath: path)
            guard FileManager.default.fileExists(atPath: url.path) else {
                throw SimError.fileNotFound(path, tried: [url.path])
            }
            return url
        }
        var tried: [String] = []
        for base in [workingDirectory] + fallbacks {
            let url = base.appendingPathComponent(path).standardizedFileURL
            if FileManager.default.fileExists(atPath: url.path) { return url }
            tried.append(url.path)
        }
        throw SimError.fileNotFound(path, tried: tried)
    }
}
