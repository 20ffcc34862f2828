import CSpawnShims
import Foundation
import SimCore
#if canImport(Glibc)
import Glibc
#endif

/// The unprivileged identity of one sandbox: a host uid/gid of its own, which its user
/// namespace maps to its root, so that every process it leaves can be found by uid and killed —
/// whatever process group or session it moved to.
struct SandboxIdentity: Sendable {
    let uid: uid_t

    /// The default range of sandbox uids: far from system and user ids.
    static let defaultRange: ClosedRange<uid_t> = 1_000_000 ... 1_899_999

    /// A random uid of `$SIM_CASCADE_SANDBOX_UIDS` (`FIRST-LAST`, e.g. a range a site reserves),
    /// else of `defaultRange`.
    static func random(environment: [String: String] = ProcessInfo.processInfo.environment) -> SandboxIdentity {
        var rng = SystemRandomNumberGenerator()
        return SandboxIdentity(uid: uid_t.random(in: range(environment) ?? defaultRange, using: &rng))
    }

    /// Takes a uid of `$SIM_CASCADE_SANDBOX_UIDS` (else of `defaultRange`) that no other sandbox
    /// on this machine holds: a random one, then the next ones, each leased by a `flock` on
    /// `<leases>/<uid>`. Two sandboxes with one uid would be one target for each other's
    /// teardown, which kills by uid.
    /// - Throws: `CascadeError.system` when every uid of the range is held or leases cannot be made.
    /// - Complexity: O(1) expected; O(uids held) when the range is nearly full.
    static func lease(environment: [String: String] = ProcessInfo.processInfo.environment,
                      leases: URL = SandboxIdentity.leaseFolder) throws -> SandboxIdentityLease {
        try SandboxIdentityLease.take(first: random(environment: environment).uid,
                                      in: range(environment) ?? defaultRange, leases: leases)
    }

    /// Where uid leases live: a folder of root's, mode 0700, at one path for the whole machine
    /// (not under `$TMPDIR`, which two runs may set differently): in /run, else /tmp.
    static let leaseFolder: URL = {
        var info = stat()
        let run = stat("/run", &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR && info.st_uid == 0
        return URL(fileURLWithPath: run ? "/run" : "/tmp").appendingPathComponent("sim-cascade-uid-leases")
    }()

    /// The range `$SIM_CASCADE_SANDBOX_UIDS` names, if it is a valid one (non-zero ids).
    static func range(_ environment: [String: String]) -> ClosedRange<uid_t>? {
        guard let text = environment["SIM_CASCADE_SANDBOX_UIDS"] else { return nil }
        let parts = text.split(separator: "-").compactMap { uid_t($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.count == 2, parts[0] > 0, parts[0] <= parts[1], parts[1] < uid_t.max - 1 else { return nil }
        return parts[0] ... parts[1]
    }

    /// SIGKILLs every live process whose real uid is this sandbox's, until none is left; whether
    /// none is (a process may take long to die on a loaded machine: passes go on for ~10 s).
    ///
    /// With a cgroup, the candidates are its members (a process cannot leave it unprivileged),
    /// which is cheap to list; without, every process on the machine is checked. Each process is
    /// named by a pidfd and its uid checked again before the signal, so a recycled pid is never hit.
    /// - Complexity: O(sandbox processes) with a cgroup, else O(processes on the machine), per pass.
    @discardableResult
    func killAll(members cgroup: MemoryCgroup?) -> Bool {
        for pass in 0..<400 {
            let victims = cgroup.map { ProcessTable.pids(in: $0.path, ownedBy: uid) } ?? ProcessTable.pids(ownedBy: uid)
            if victims.isEmpty { return true }
            for pid in victims {
                let fd = sim_cascade_pidfd_open(pid)
                guard fd >= 0 else { continue }
                if ProcessTable.isLive(pid, ownedBy: uid) { _ = sim_cascade_pidfd_send_signal(fd, SIGKILL) }
                close(fd)
            }
            usleep(pass < 200 ? 2_000 : 50_000)
        }
        return false
    }
}

/// A sandbox uid held by this process until `release()` (or its end: the kernel drops the lock).
struct SandboxIdentityLease: Sendable {
    let identity: SandboxIdentity
    private let lock: FileLock
    private let path: String

    /// Leases `first`, else the next free uid of `range` (wrapping), trying at most 100,000.
    static func take(first: uid_t, in range: ClosedRange<uid_t>, leases: URL) throws -> SandboxIdentityLease {
        try ensurePrivateFolder(leases.path)
        let count = UInt64(range.upperBound - range.lowerBound) + 1
        let offset = UInt64(first - range.lowerBound)
        for step in 0 ..< min(count, 100_000) {
            let uid = range.lowerBound + uid_t((offset + step) % count)
            let path = leases.appendingPathComponent("\(uid)").path
            do {
                return SandboxIdentityLease(identity: SandboxIdentity(uid: uid),
                                            lock: try FileLock(path, create: true, wait: false), path: path)
            } catch FileLock.Refusal.held {
                continue
            } catch let refusal as FileLock.Refusal {
                throw refusal.cascadeError
            }
        }
        throw CascadeError.system("every sandbox uid of \(range.lowerBound)-\(range.upperBound) is held by another sandbox")
    }

    /// Ends the lease: the file goes first, so that the next taker makes a fresh one (a taker
    /// that opened this one finds it replaced and opens again).
    func release() {
        unlink(path)
        lock.release()
    }

    /// Makes `path` a folder of root's that no one else may enter, or checks that it is one
    /// (never followed if a link: someone else's file there is refused).
    private static func ensurePrivateFolder(_ path: String) throws {
        _ = mkdir(path, 0o700)
        var info = stat()
        guard lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR, info.st_uid == geteuid(),
              info.st_mode & 0o077 == 0 else {
            throw CascadeError.system("\(path) is not a private folder of this user's (remove it)")
        }
    }
}

/// Reads of /proc.
enum ProcessTable {
    /// Live processes with real uid `uid`. A `stat` of each /proc entry (owned by the process's
    /// effective uid, which a sandboxed process cannot change) preselects; only matches have
    /// their status read.
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

    /// Whether `pid` has real uid `uid` and any thread that still runs. A process whose leader
    /// thread exited shows `State: Z` while its other threads run on: each thread is checked.
    static func isLive(_ pid: Int32, ownedBy uid: uid_t) -> Bool {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return false }
        let (realUID, zombie) = parseStatus(status)
        guard realUID == uid else { return false }
        if !zombie { return true }
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
        return tasks.contains { task in
            guard let text = try? String(contentsOfFile: "/proc/\(pid)/task/\(task)/status", encoding: .utf8) else { return false }
            return !parseStatus(text).zombie
        }
    }

    /// The real uid and whether the state is zombie or dead, from a `status` file.
    static func parseStatus(_ status: String) -> (uid: uid_t?, zombie: Bool) {
        var realUID: uid_t?, zombie = true
        for line in status.split(separator: "\n") {
            if line.hasPrefix("Uid:") {
                realUID = line.split(whereSeparator: \.isWhitespace).dropFirst().first.flatMap { uid_t($0) }
            } else if line.hasPrefix("State:") {
                zombie = line.contains("Z") || line.contains("X")
            }
        }
        return (realUID, zombie)
    }

    /// The start time of `pid` (clock ticks since boot, field 22 of its `stat`), or `nil` when
    /// there is no such process. With the pid it names one process for good.
    static func startTime(_ pid: Int32) -> UInt64? { ProcStat(pid: pid)?.startTime }
}

/// A memory cgroup for one sandbox, when this machine lets us make one (cgroup v1's `memory`
/// hierarchy, or v2 with the memory controller): it caps the resident memory of all the
/// sandbox's processes together, tmpfs included — RLIMIT_AS alone caps each process.
struct MemoryCgroup: Sendable {
    let path: String
    let version: Int

    /// The folder under which this process's memory cgroups are made, and the version.
    static let parent: (path: String, version: Int)? = {
        guard let membership = try? String(contentsOfFile: "/proc/self/cgroup", encoding: .utf8) else { return nil }
        for line in membership.split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count == 3 else { continue }
            if parts[1].split(separator: ",").contains("memory") {
                return ("/sys/fs/cgroup/memory" + (parts[2] == "/" ? "" : String(parts[2])), 1)
            }
        }
        for line in membership.split(separator: "\n") where line.hasPrefix("0::") {
            let path = "/sys/fs/cgroup" + line.dropFirst(3)
            guard let controllers = try? String(contentsOfFile: "/sys/fs/cgroup/cgroup.controllers", encoding: .utf8),
                  controllers.split(whereSeparator: \.isWhitespace).contains("memory") else { return nil }
            return (path.hasSuffix("/") ? String(path.dropLast()) : path, 2)
        }
        return nil
    }()

    /// Why no memory cgroup can be made here, or `nil` when one can (checked once, by making one).
    static let unavailableReason: String? = {
        guard let parent else { return "no cgroup v1 memory hierarchy or cgroup v2 memory controller" }
        guard let probe = create(name: "sim-cascade-probe-\(UUID().uuidString)", limitBytes: 64 << 20) else {
            return "cannot create a cgroup under \(parent.path)"
        }
        probe.remove()
        return nil
    }()

    /// Creates `name` under this process's memory cgroup with a limit of `limitBytes` (no
    /// swap); `nil` if not possible.
    static func create(name: String, limitBytes: Int) -> MemoryCgroup? {
        guard let parent else { return nil }
        let dir = parent.path + "/" + name
        guard mkdir(dir, 0o755) == 0 else { return nil }
        let limited = parent.version == 1
            ? write("\(limitBytes)", to: dir + "/memory.limit_in_bytes")
            : write("\(limitBytes)", to: dir + "/memory.max")
        guard limited else {
            rmdir(dir)
            return nil
        }
        if parent.version == 1 {
            _ = write("\(limitBytes)", to: dir + "/memory.memsw.limit_in_bytes")
        } else {
            _ = write("0", to: dir + "/memory.swap.max")
        }
        return MemoryCgroup(path: dir, version: parent.version)
    }

    /// Whether the kernel's OOM killer killed a process of this cgroup (its `oom_kill` count,
    /// in `memory.oom_control` for v1 and `memory.events` for v2, rose from zero). Nothing the
    /// candidate prints or does short of using the memory decides this.
    var oomKilled: Bool {
        let file = version == 1 ? path + "/memory.oom_control" : path + "/memory.events"
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { return false }
        return text.split(separator: "\n").contains { line in
            let f = line.split(separator: " ")
            return f.count == 2 && f[0] == "oom_kill" && (Int(f[1]) ?? 0) > 0
        }
    }

    /// Removes the (by then empty) cgroup.
    func remove() {
        for _ in 0..<100 {
            if rmdir(path) == 0 || errno == ENOENT { return }
            usleep(2000)
        }
    }

    fileprivate static func write(_ text: String, to file: String) -> Bool {
        (try? text.write(toFile: file, atomically: false, encoding: .utf8)) != nil
    }
}
