import Foundation
import SimCore
#if canImport(Glibc)
import Glibc
#endif

/// Finds and stops servers whose starting process is gone, and stops servers by their pid file.
///
/// A server's folder holds `owner.lock`, locked by its owner for its lifetime: a lock that can
/// be taken means the owner died (crashed, was killed) without stopping its server. A folder is
/// made under a staging name (`.sim-cascade-pg-new-XXXXXX`), its lock taken, and only then
/// renamed to the name scanned here, so no scan sees a live owner's folder unlocked. A folder
/// without the file (a hand-made one) and a staging folder (its owner died before any server
/// started in it) are removed once a minute old.
public enum StaleServers {
    static let ownerLockName = "owner.lock"
    static let stagingPrefix = ".sim-cascade-pg-new-"
    /// How long a staging folder may be an owner's work in progress.
    static let graceSeconds: TimeInterval = 60

    /// Stops the servers under `parent` whose owners are gone and removes their folders.
    /// - Returns: the folders removed.
    /// - Complexity: one `flock` attempt per `sim-cascade-pg-*` folder, and a stop per stale one.
    @discardableResult
    public static func clean(parent: String = "/tmp") -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: parent)) ?? []
        var removed: [String] = []
        for name in names where name.hasPrefix(stagingPrefix) {
            let folder = parent + "/" + name
            if age(folder) > graceSeconds, (try? FileManager.default.removeItem(atPath: folder)) != nil { removed.append(folder) }
        }
        for name in names where name.hasPrefix(PostgresServer.folderPrefix) {
            let folder = parent + "/" + name
            let lockPath = folder + "/" + ownerLockName
            var staleLock: FileLock?
            do {
                staleLock = try FileLock(lockPath, create: false, wait: false)
            } catch FileLock.Refusal.held {
                continue
            } catch {
                // No lock file (not a folder of ours, or one emptied by hand): after the grace period.
                guard !FileManager.default.fileExists(atPath: lockPath), age(folder) > graceSeconds else { continue }
            }
            stopServer(dataDirectory: folder + "/data")
            try? FileManager.default.removeItem(atPath: folder)
            staleLock?.release()
            removed.append(folder)
        }
        return removed
    }

    /// Seconds since `path` was last modified (0 when it cannot be read).
    static func age(_ path: String) -> TimeInterval {
        guard let modified = (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date else { return 0 }
        return Date().timeIntervalSince(modified)
    }

    /// The postmaster's pid, from the first line of `postmaster.pid`.
    static func postmasterPID(dataDirectory: String) -> pid_t? {
        guard let text = try? String(contentsOfFile: dataDirectory + "/postmaster.pid", encoding: .utf8),
              let first = text.split(whereSeparator: \.isNewline).first, let pid = pid_t(first), pid > 0 else { return nil }
        return pid
    }

    /// Stops the server of `dataDirectory` at once (SIGQUIT: PostgreSQL's immediate shutdown),
    /// then outright (SIGKILL) if it has not exited within 10 s, and waits for it to be gone. Only
    /// a process whose command line names this data folder is signalled: a pid file left by a
    /// server that died may name a pid since reused by an unrelated process.
    static func stopServer(dataDirectory: String) {
        guard let pid = postmasterPID(dataDirectory: dataDirectory), isPostmaster(pid, of: dataDirectory) else { return }
        kill(pid, SIGQUIT)
        if !waitUntilGone(pid, seconds: 10) {
            kill(pid, SIGKILL)
            _ = waitUntilGone(pid, seconds: 10)
        }
    }

    /// Whether `pid` runs with `-D dataDirectory` on its command line (read from /proc).
    static func isPostmaster(_ pid: pid_t, of dataDirectory: String) -> Bool {
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
        // Arguments are NUL-separated, unless the process rewrote its title: a substring will do.
        let commandLine = String(decoding: data.map { $0 == 0 ? 32 : $0 }, as: UTF8.self) + " "
        return commandLine.contains(" \(dataDirectory) ") && isAlive(pid)
    }

    /// Alive and not a zombie.
    static func isAlive(_ pid: pid_t) -> Bool {
        guard kill(pid, 0) == 0 || errno == EPERM else { return false }
        guard let stat = ProcStat(pid: pid) else { return false }
        return !stat.hasEnded
    }

    static func waitUntilGone(_ pid: pid_t, seconds: Double) -> Bool {
        let deadline = monotonicSeconds() + seconds
        while isAlive(pid) {
            if monotonicSeconds() > deadline { return false }
            usleep(10_000)
        }
        return true
    }
}
