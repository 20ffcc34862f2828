import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The files a problem's inputs were loaded from and the settings that shaped them: what two
/// machines must share to evaluate on the same inputs. The files are named by one digest; the
/// settings travel as options beside it.
public struct InputSources: Sendable {
    /// Every input file the load resolved (traces, a manifest, a merge list), in the order it
    /// resolved them.
    public var files: [URL]
    /// The problem's settings (`--inputs`, `--window`, …) by option name.
    public var settings: [String: String]
    /// `signature()` as it was when each file was resolved, before it was read: a file that
    /// differs from it now may differ from the bytes loaded.
    public var loadedSignature: [String]

    /// Each file's size, modification time and inode, in order: cheap to take again, and
    /// different once a file is written or replaced (a missing file reads as `-`).
    public func signature() -> [String] { files.map(Self.signature(of:)) }

    /// One file's size, modification time and inode (`-` when it cannot be read).
    static func signature(of file: URL) -> String {
        var info = stat()
        guard stat(file.path, &info) == 0 else { return "-" }
        return "\(info.st_size):\(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec):\(info.st_ino)"
    }

    /// FNV-1a (64 bits, as hex) of every file's bytes, in the order the load resolved them: equal
    /// on two machines that load the same bytes, whatever the folders, the file names or the
    /// spelling of the options. O(bytes of the files) — a research set's tens of MB are read
    /// once more.
    /// - Throws: `CascadeError.system` when a file cannot be read again.
    public func digest() throws -> String {
        var hash = FNV1a()
        hash.combine(Data("sim-cascade inputs v2".utf8))
        for file in files {
            guard let bytes = FileManager.default.contents(atPath: file.path) else {
                throw CascadeError.system("cannot read \(file.path) again to take the inputs' digest")
            }
            hash.combine(bytes)
        }
        return hash.hex
    }
}

extension CandidateInputs {
    /// The digest of `sources` (`InputSources.digest`).
    /// - Throws: `CascadeError.system` for inputs not loaded by `CandidateProblem.loadInputs`
    ///   (their sources are unknown) or a file that cannot be read again.
    public func digest() throws -> String {
        guard let sources else { throw CascadeError.system("the inputs \(label) were not loaded by name; they have no digest") }
        return try sources.digest()
    }

    /// - Throws: `CascadeError.inputsDiffer` unless the digest is `expected`.
    public func check(digest expected: String) throws {
        let found = try digest()
        guard found == expected else { throw CascadeError.inputsDiffer(expected: expected, found: found, label: label) }
    }
}
