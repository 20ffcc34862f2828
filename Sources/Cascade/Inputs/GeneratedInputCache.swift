import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Sim
import SimCore

/// Inputs too large to commit, generated from a committed manifest at their first use.
///
/// A manifest's files live in `ROOT/PROBLEM-HASH/`, HASH the FNV-1a of the manifest's and its
/// pins' bytes, beside a copy of both that is compared on every hit (with every file's size):
/// that is the whole key, so a hash collision or a damaged folder costs a regeneration, never
/// wrong inputs. Files are written into a staging
/// folder that is renamed into place, so a killed first use never leaves half a set, and two
/// processes generating at once both succeed (one rename wins, the other's copy is removed).
/// Only the trusted process reads this folder; no sandbox mounts it.
///
/// A generated set is pinned by the `files.fnv1a` committed beside its manifest (a line per
/// file: FNV-1a, bytes, name): what a first use generates must match it, so a generator that
/// is not byte-for-byte reproducible on this machine fails loudly instead of scoring on other
/// inputs than everyone else's.
public struct GeneratedInputCache: Sendable {
    /// Where generated sets are kept: `inputs/` in sim-cascade's cache folder by default.
    public var root: URL

    public init(root: URL = CandidateCompiler.defaultCacheRoot.appendingPathComponent("inputs", isDirectory: true)) {
        self.root = root
    }

    /// The pin file's name, beside the manifest.
    public static let pinsName = "files.fnv1a"

    /// The pin file's text for `files`: per file, its FNV-1a, its byte count and its name.
    /// - Complexity: O(total bytes).
    public static func pins(_ files: [GeneratedFile]) -> String {
        files.map { file in
            var hash = FNV1a()
            var text = file.contents
            let bytes = text.withUTF8 { buffer in
                hash.combine(UnsafeRawBufferPointer(buffer))
                return buffer.count
            }
            return "\(hash.hex) \(bytes) \(file.name)\n"
        }.joined()
    }

    /// The folder holding the files `generate` makes from `manifest`, generating them first when
    /// no folder holds them.
    /// - Complexity: one read of the manifest on a hit; the generator's cost and a write of its
    ///   files on a miss.
    /// - Throws: the generator's errors for a bad manifest; `CascadeError.system` when the cache
    ///   cannot be written.
    public func folder(problem: String, manifest: URL, generate: (URL) throws -> [GeneratedFile]) throws -> URL {
        let bytes = try Data(contentsOf: manifest)
        let pinFile = manifest.deletingLastPathComponent().appendingPathComponent(Self.pinsName)
        guard let pinned = try? String(contentsOf: pinFile, encoding: .utf8) else {
            throw CascadeError.system("\(pinFile.path) is missing: it pins the generated inputs (`sim-cascade traces generate` writes it)")
        }
        // The key is the manifest and its pins together: new pins (a generator whose output
        // changed) are a new folder, never the old files.
        let key = bytes + Data(pinned.utf8)
        var hash = FNV1a()
        hash.combine(key)
        let folder = root.appendingPathComponent("\(problem)-\(hash.hex)", isDirectory: true)
        let fm = FileManager.default
        if Self.isComplete(folder, key: key, pins: pinned) { return folder }

        let files = try generate(manifest)
        guard Self.pins(files) == pinned else {
            throw CascadeError.system("the inputs generated from \(manifest.path) differ from those \(pinFile.path) pins: "
                + "the generator is not reproducible on this machine, or the manifest changed without `sim-cascade traces generate`")
        }
        let staging = root.appendingPathComponent(".staging-\(problem)-\(UUID().uuidString)", isDirectory: true)
        do {
            try fm.createDirectory(at: staging, withIntermediateDirectories: true)
            for file in files {
                let url = staging.appendingPathComponent(file.name)
                try fm.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try Data(file.contents.utf8).write(to: url)
            }
            // Written last: its presence says the folder is complete.
            try key.write(to: staging.appendingPathComponent(Self.keyName))
        } catch {
            try? fm.removeItem(at: staging)
            throw CascadeError.system("cannot write generated inputs to \(root.path): \(error.localizedDescription)")
        }
        // A damaged folder under the name (a file truncated, a collision) is moved aside in one
        // step before it is removed, so no process ever reads a half-deleted one.
        if fm.fileExists(atPath: folder.path), !Self.isComplete(folder, key: key, pins: pinned) {
            let trash = root.appendingPathComponent(".trash-\(UUID().uuidString)", isDirectory: true)
            if rename(folder.path, trash.path) == 0 { try? fm.removeItem(at: trash) }
        }
        if rename(staging.path, folder.path) != 0 {
            let reason = String(cString: strerror(errno))
            try? fm.removeItem(at: staging)
            // Another process renamed its identical copy first.
            guard Self.isComplete(folder, key: key, pins: pinned) else {
                throw CascadeError.system("cannot move generated inputs into \(folder.path): \(reason)")
            }
        }
        return folder
    }

    /// The name of the key (manifest and pins) kept with the files, written last.
    static let keyName = "key"

    /// Whether `folder` holds the set `key` names, every pinned file at its pinned size.
    /// - Complexity: one `stat` per file.
    static func isComplete(_ folder: URL, key: Data, pins: String) -> Bool {
        guard FileManager.default.contents(atPath: folder.appendingPathComponent(keyName).path) == key else { return false }
        for line in pins.split(separator: "\n") {
            let parts = line.split(separator: " ", maxSplits: 2)
            // `stat`, not Foundation's attributes: this runs on every load, a file at a time
            // (722 files for spot-multi's research set).
            var info = stat()
            guard parts.count == 3, let size = Int(parts[1]),
                  stat(folder.appendingPathComponent(String(parts[2])).path, &info) == 0, Int(info.st_size) == size else { return false }
        }
        return true
    }
}

extension Problem {
    /// The folder of the research-scale inputs generated from `manifest` (relative to the
    /// package root) by the problem's own generator, generated and pinned at first use.
    /// - Throws: `SimError` for a bad manifest, `CascadeError.system` for a cache that cannot
    ///   be written or output that differs from its pins.
    func researchFolder(_ manifest: String, catalog: InputCatalog) throws -> URL {
        try GeneratedInputCache().folder(problem: name, manifest: try catalog.packageFile(manifest)) { try generatedFiles(manifest: $0) }
    }

    /// An embedded input at `scale`: the committed `small` (relative to the package root), or
    /// `research` in the folder generated from `manifest`.
    func embeddedFile(_ scale: InputScale, small: String, research: String, manifest: String, catalog: InputCatalog) throws -> URL {
        switch scale {
        case .small: return try catalog.packageFile(small)
        case .research: return catalog.noted(try researchFolder(manifest, catalog: catalog).appendingPathComponent(research))
        }
    }
}
