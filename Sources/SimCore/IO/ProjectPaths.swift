import Foundation

/// Folders of the project itself, found from a running process.
public enum ProjectPaths {
    /// The repository root: the nearest ancestor of a search start holding `Package.swift` and
    /// `traces/`.
    ///
    /// - Throws: `SimError.fileNotFound` when no start lies inside the repository.
    public static func root(searchStarts: [URL] = ReferenceData.processSearchStarts) throws -> URL {
        for start in searchStarts {
            var dir: URL? = ReferenceData.repositoryRoot(from: start)
            while let candidate = dir {
                if ReferenceData.isDirectory(candidate.appendingPathComponent("traces")) { return candidate }
                let parent = candidate.deletingLastPathComponent()
                dir = parent.path == candidate.path ? nil : ReferenceData.repositoryRoot(from: parent)
            }
        }
        throw SimError.fileNotFound("traces/", tried: searchStarts.map(\.path)
            + ["(run from inside the sim-cascade repository)"])
    }
}
