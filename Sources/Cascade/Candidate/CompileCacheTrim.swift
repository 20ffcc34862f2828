import Foundation
import SimCore
#if canImport(Glibc)
import Glibc
#endif

/// Keeps the compile cache's executables under a size cap, evicting the least recently used.
///
/// An entry's last use is its folder's modification time: set when it is stored and touched on
/// every cache hit. An entry used in the last `graceSeconds` is never evicted, even above the
/// cap: another process may be about to link it into a sandbox.
public struct CompileCacheTrim: Sendable {
    /// The cap in bytes: `$SIM_CASCADE_CACHE_MAX_MB` MiB, else 2 GiB.
    public var maxBytes: Int
    public var graceSeconds: Double = 600

    public init(maxBytes: Int = CompileCacheTrim.defaultMaxBytes()) {
        self.maxBytes = maxBytes
    }

    /// `$SIM_CASCADE_CACHE_MAX_MB` (a positive integer) in bytes, else 2 GiB.
    public static func defaultMaxBytes(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> Int {
        if let text = environment["SIM_CASCADE_CACHE_MAX_MB"], let mb = Int(text), mb > 0, mb < 1 << 40 { return mb << 20 }
        return 2 << 30
    }

    /// A key's lock file beside its entries (`<hash>.lock`, see `CandidateCompiler`).
    static let lockSuffix = ".lock"

    /// Marks `entry` as just used.
    static func touch(_ entry: URL) {
        _ = utimes(entry.path, nil)
    }

    /// Evicts least recently used entries of `candidates` until their total size is at most
    /// `maxBytes` (or only entries inside the grace period are left).
    /// - Returns: the entries removed.
    /// - Complexity: O(entries · files per entry) `stat` calls, and a sort of the entries.
    @discardableResult
    public func trim(_ candidates: URL, now: Date = Date()) -> [String] {
        let fm = FileManager.default
        guard let names = try? fm.contentsOfDirectory(atPath: candidates.path) else { return [] }
        var entries: [(name: String, used: Double, bytes: Int)] = []
        var total = 0
        for name in names {
            let entry = candidates.appendingPathComponent(name)
            var info = stat()
            guard stat(entry.path, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR else { continue }
            let bytes = ((try? fm.contentsOfDirectory(atPath: entry.path)) ?? []).reduce(0) { sum, file in
                var fileInfo = stat()
                return sum + (lstat(entry.appendingPathComponent(file).path, &fileInfo) == 0 ? Int(fileInfo.st_blocks) * 512 : 0)
            }
            entries.append((name, Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) * 1e-9, bytes))
            total += bytes
        }
        guard total > maxBytes else { return [] }
        var removed: [String] = []
        let cutoff = now.timeIntervalSince1970 - graceSeconds
        for entry in entries.sorted(by: { $0.used < $1.used }) where total > maxBytes && entry.used < cutoff {
            // Remove the key first: a half-removed entry is never taken for a complete one.
            let folder = candidates.appendingPathComponent(entry.name)
            try? fm.removeItem(at: folder.appendingPathComponent("key"))
            if (try? fm.removeItem(at: folder)) != nil {
                total -= entry.bytes
                removed.append(entry.name)
            }
        }
        // The lock files of keys with no entry left (a waiter on one removed here takes the new
        // file's lock: `FileLock` checks it still holds the file at the path).
        let kept = Set(((try? fm.contentsOfDirectory(atPath: candidates.path)) ?? []).compactMap { name in
            name.hasSuffix(Self.lockSuffix) ? nil : name.split(separator: "-").first.map(String.init)
        })
        for name in removed {
            guard let key = name.split(separator: "-").first.map(String.init), !kept.contains(key) else { continue }
            try? fm.removeItem(at: candidates.appendingPathComponent(key + Self.lockSuffix))
        }
        return removed
    }
}
