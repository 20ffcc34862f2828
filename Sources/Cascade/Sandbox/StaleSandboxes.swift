import Foundation
import SimCore
#if canImport(Glibc)
import Glibc
#endif

/// What evaluations killed before their cleanup (`kill -9` of `eval`) left behind: sandbox
/// folders, memory cgroups, uid lease files and build folders (`sim-cascade-compile-…` in the temporary
/// directory, `build-…` in a compile cache). Each is named `<prefix><pid>.<start time>-<uuid>`
/// after the sim-cascade process that made it; a name whose process no longer runs (no such
/// pid, or a pid reused by a process started at another time) is stale. Their processes are
/// already gone: the launcher kills the sandbox when sim-cascade's lifeline closes.
enum StaleSandboxes {
    static let prefix = "sim-cascade-sandbox-"

    /// Where sandbox folders are made: the temporary directory, which every uid may traverse.
    static var folder: URL { FileManager.default.temporaryDirectory }

    /// This process, as `<pid>.<start time>`.
    static let owner: String = {
        let pid = getpid()
        return "\(pid).\(ProcessTable.startTime(pid) ?? 0)"
    }()

    /// Whether the process named by `owner` (`<pid>.<start time>`) still runs.
    static func isRunning(owner: Substring) -> Bool {
        let parts = owner.split(separator: ".")
        guard parts.count == 2, let pid = Int32(parts[0]), let start = UInt64(parts[1]) else { return false }
        // Start time 0: its process could not read it (no /proc); the pid alone must do.
        guard start != 0 else { return kill(pid, 0) == 0 || errno == EPERM }
        return ProcessTable.startTime(pid) == start
    }

    /// Whether `name` is a sandbox's (or a build folder's) whose process no longer runs.
    static func isStale(_ name: String, prefixes: [String] = [prefix, BuildFolder.prefix]) -> Bool {
        guard let kind = prefixes.first(where: name.hasPrefix) else { return false }
        let rest = name.dropFirst(kind.count)
        guard let dash = rest.firstIndex(of: "-") else { return false }
        return !isRunning(owner: rest[..<dash])
    }

    private static let once: Void = {
        let fm = FileManager.default
        for name in (try? fm.contentsOfDirectory(atPath: folder.path)) ?? [] where isStale(name) {
            // Root-made folders holding the executable and two empty mount points: no candidate
            // wrote here (its /tmp was a tmpfs inside its namespace).
            try? fm.removeItem(at: folder.appendingPathComponent(name))
        }
        // Uid leases of killed evaluations: files no one holds (a holder's lock says taken).
        let leases = SandboxIdentity.leaseFolder.path
        for name in (try? fm.contentsOfDirectory(atPath: leases)) ?? [] {
            if let lease = try? FileLock(leases + "/" + name, wait: false) {
                unlink(leases + "/" + name)
                lease.release()
            }
        }
        if let parent = MemoryCgroup.parent {
            for name in (try? fm.contentsOfDirectory(atPath: parent.path)) ?? [] where isStale(name) {
                rmdir(parent.path + "/" + name)
            }
        }
    }()

    /// Removes the build folders in a compile cache whose process is gone (a `kill -9` during
    /// a compile; names of versions before the owner was part of them count as gone).
    /// - Complexity: O(entries of the cache's top folder).
    static func removeStaleBuildFolders(in cacheRoot: URL) {
        // Once per cache and process: a compile's own hot path need not list the cache again.
        guard sweptLock.withLock({ sweptCaches.insert(cacheRoot.path).inserted }) else { return }
        let fm = FileManager.default
        for name in (try? fm.contentsOfDirectory(atPath: cacheRoot.path)) ?? []
        where isStale(name, prefixes: [CandidateCompiler.buildPrefix]) {
            try? fm.removeItem(at: cacheRoot.appendingPathComponent(name))
        }
    }

    private static let sweptLock = NSLock()
    nonisolated(unsafe) private static var sweptCaches: Set<String> = []

    /// Removes stale folders and cgroups, once per process.
    /// - Complexity: O(entries of the temporary directory and the memory cgroup).
    static func removeOnce() { once }
}
