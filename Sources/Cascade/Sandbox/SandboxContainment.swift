import CSpawnShims
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The unprivileged identity of one sandbox: a uid/gid of its own, so that RLIMIT_NPROC (which
/// counts per uid, machine-wide) binds this sandbox alone, and every process it leaves can be
/// found by uid and killed — whatever process group or session it moved to.
struct SandboxIdentity: Sendable {
    let uid: uid_t

    /// A random id in 1,000,000 ..< 1,900,000, far from system and user ids.
    static func random() -> SandboxIdentity {
        var rng = SystemRandomNumberGenerator()
        return SandboxIdentity(uid: uid_t(1_000_000 + Int.random(in: 0 ..< 900_000, using: &rng)))
    }

    /// SIGKILLs every live process whose real uid is this sandbox's, until none is left.
    ///
    /// With a cgroup, the candidates are its members (a process cannot leave it unprivileged),
    /// which is cheap to list; without, every process on the machine is checked. Each process is
    /// named by a pidfd and its uid checked again before the signal, so a recycled pid is never hit.
    /// - Complexity: O(sandbox processes) with a cgroup, else O(processes on the machine), per pass.
    func killAll(members cgroup: MemoryCgroup?) {
        for _ in 0..<200 {
            let victims = cgroup.map { ProcessTable.pids(in: $0.path, ownedBy: uid) } ?? ProcessTable.pids(ownedBy: uid)
            if victims.isEmpty { return }
            for pid in victims {
                let fd = sim_cascade_pidfd_open(pid)
                guard fd >= 0 else { continue }
                if ProcessTable.isLive(pid, ownedBy: uid) { _ = sim_cascade_pidfd_send_signal(fd, SIGKILL) }
                close(fd)
            }
            usleep(2000)
        }
    }
}

/// Reads of /proc.
enum ProcessTable {
    /// Live (not zombie) processes with real uid `uid`. A `stat` of each /proc entry (owned
    /// by the process's effective uid, which a sandboxed process cannot change) preselects;
    /// only matches have their status read.
    static func pids(ownedBy uid: uid_t) -> [Int32] {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
        return entries.compactMap { name in
            guard let pid = Int32(name) else { return nil }
            var info = stat()
            guard stat("/proc/\(name)", &info) == 0, info.st_uid == uid else { return nil }
            return isLive(pid, ownedBy: uid) ? pid : nil
        }
    }

    /// Live members of a cgroup with real uid `uid`.
    static func pids(in cgroup: String, ownedBy uid: uid_t) -> [Int32] {
        guard let text = try? String(contentsOfFile: cgroup + "/cgroup.procs", encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { Int32($0) }.filter { isLive($0, ownedBy: uid) }
    }

    /// Whether `pid` runs (is not a zombie) with real uid `uid`: one read of its status.
    static func isLive(_ pid: Int32, ownedBy uid: uid_t) -> Bool {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return false }
        var realUID: uid_t?, zombie = true
        for line in status.split(separator: "\n") {
            if line.hasPrefix("Uid:") {
                realUID = line.split(whereSeparator: \.isWhitespace).dropFirst().first.flatMap { uid_t($0) }
            } else if line.hasPrefix("State:") {
                zombie = line.contains("Z") || line.contains("X")
            }
        }
        return realUID == uid && !zombie
    }
}

/// A memory cgroup for one sandbox, when this machine lets us make one (cgroup v1's `memory`
/// hierarchy, or v2 with the memory controller): it caps the resident memory of all the
/// sandbox's processes together, tmpfs included — RLIMIT_AS alone caps each process.
struct MemoryCgroup: Sendable {
    let path: String
    let version: Int

    /// Creates `sim-cascade-<id>` under this process's memory cgroup; `nil` if not possible.
    static func create(limitBytes: Int) -> MemoryCgroup? {
        guard let membership = try? String(contentsOfFile: "/proc/self/cgroup", encoding: .utf8) else { return nil }
        let name = "sim-cascade-\(UUID().uuidString)"
        for line in membership.split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count == 3 else { continue }
            if parts[1].split(separator: ",").contains("memory") {
                let dir = "/sys/fs/cgroup/memory" + parts[2] + "/" + name
                if mkdir(dir, 0o755) == 0 {
                    if write("\(limitBytes)", to: dir + "/memory.limit_in_bytes") {
                        _ = write("\(limitBytes)", to: dir + "/memory.memsw.limit_in_bytes")
                        return MemoryCgroup(path: dir, version: 1)
                    }
                    rmdir(dir)
                }
            }
            if parts[0] == "0" && parts[1].isEmpty,
               let controllers = try? String(contentsOfFile: "/sys/fs/cgroup/cgroup.controllers", encoding: .utf8),
               controllers.split(separator: " ").contains(where: { $0.trimmingCharacters(in: .whitespacesAndNewlines) == "memory" }) {
                let dir = "/sys/fs/cgroup" + parts[2] + "/" + name
                if mkdir(dir, 0o755) == 0 {
                    if write("\(limitBytes)", to: dir + "/memory.max") {
                        _ = write("0", to: dir + "/memory.swap.max")
                        return MemoryCgroup(path: dir, version: 2)
                    }
                    rmdir(dir)
                }
            }
        }
        return nil
    }

    /// Whether the kernel had to reclaim or kill at the limit.
    var hitLimit: Bool {
        let file = version == 1 ? path + "/memory.failcnt" : path + "/memory.events"
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { return false }
        if version == 1 { return (Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0) > 0 }
        return text.split(separator: "\n").contains { line in
            let f = line.split(separator: " ")
            return f.count == 2 && (f[0] == "oom_kill" || f[0] == "max") && (Int(f[1]) ?? 0) > 0
        }
    }

    /// Removes the (by then empty) cgroup.
    func remove() {
        for _ in 0..<100 {
            if rmdir(path) == 0 || errno == ENOENT { return }
            usleep(2000)
        }
    }

    private static func write(_ text: String, to file: String) -> Bool {
        (try? text.write(toFile: file, atomically: false, encoding: .utf8)) != nil
    }
}
