import Foundation
import SimCore
#if canImport(Glibc)
import Glibc
#endif

/// How untrusted code is contained.
public enum SandboxMode: String, Sendable {
    /// User, mount, PID, network, IPC, UTS and cgroup namespaces with no /proc and a private
    /// tmpfs; chroot into a fresh folder; a host uid of its own; no capabilities,
    /// no-new-privileges and a seccomp allow list; rlimits; a memory cgroup where available; an
    /// empty environment.
    case namespaces
    /// rlimits, an own process group, an empty environment and a scratch working folder only —
    /// for trusted code on machines without namespaces (`--unsafe-no-sandbox`).
    case unsafeNone = "none"
}

/// Starts candidate executables inside the sandbox, through the trusted launcher
/// `sim-cascade-sandbox` (C, built next to `sim-cascade`; see its `main.c`).
public struct Sandbox: Sendable {
    public var mode: SandboxMode
    public var limits: SandboxLimits
    public var spawner: any ProcessSpawner
    /// Why the memory cgroup asked for is not used on this machine (`nil`: it is, or was not
    /// asked for). The CLI prints it as a one-line warning.
    public var memoryCgroupWarning: String?

    public init(mode: SandboxMode, limits: SandboxLimits, spawner: any ProcessSpawner, memoryCgroupWarning: String? = nil) {
        self.mode = mode
        self.limits = limits
        self.spawner = spawner
        self.memoryCgroupWarning = memoryCgroupWarning
    }

    /// Chooses the sandbox: namespaces when this machine supports them, else an error unless
    /// `allowUnsafe`. Removes what killed evaluations left behind (sandbox folders, cgroups).
    /// - Throws: `CascadeError.sandboxUnavailable` naming what is missing.
    public static func make(allowUnsafe: Bool, limits: SandboxLimits,
                            spawner: any ProcessSpawner = PosixSpawner()) throws -> Sandbox {
        var limits = try limits.validated()
        guard !allowUnsafe else {
            limits.memoryCgroup = false
            return Sandbox(mode: .unsafeNone, limits: limits, spawner: spawner)
        }
        if let problem = namespaceProblem() { throw CascadeError.sandboxUnavailable(problem) }
        StaleSandboxes.removeOnce()
        var warning: String?
        if limits.memoryCgroup, let reason = MemoryCgroup.unavailableReason {
            limits.memoryCgroup = false
            warning = "no memory cgroup (\(reason)): --memory-mb bounds each sandboxed process's address space, "
                + "and an allocation failure is reported as a crash"
        }
        return Sandbox(mode: .namespaces, limits: limits, spawner: spawner, memoryCgroupWarning: warning)
    }

    /// Why namespaces cannot be used here, or `nil` when they can: the launcher's own probe
    /// (a user namespace mapped to a sandbox uid, the other namespaces, a seccomp filter).
    static func namespaceProblem() -> String? {
        guard geteuid() == 0 else { return "namespaces and chroot need root, and this process is not root" }
        do {
            let probe = try ToolRunner.run(try launcher(), arguments: ["probe"], environment: [], timeoutSeconds: 10)
            let detail = probe.output.trimmingCharacters(in: .whitespacesAndNewlines).prefix(300)
            return probe.status == 0 ? nil : "this machine cannot create the sandbox (\(detail))"
        } catch {
            return "cannot run the sandbox launcher: \(error)"
        }
    }

    /// Starts `executable` in a fresh sandbox and connects the query protocol.
    ///
    /// The trusted launcher joins the sandbox's memory cgroup (when there is one), clones PID 1
    /// of new namespaces, which mounts the sandbox's tmpfs and forks the candidate; the
    /// candidate's process sets the rlimits, chroots, drops every capability, sets
    /// no-new-privileges, installs the seccomp allow list and executes the candidate with no
    /// environment. The start pipe says whether that `execve` happened: a failure before it is
    /// this machine's (thrown), every failure after it is the candidate's.
    /// - Throws: `CascadeError.system` when the sandbox itself cannot start.
    /// - Complexity: one process start and one clone into new namespaces (a few milliseconds).
    public func start(executable: URL) throws -> ChildSession {
        let namespaces = mode == .namespaces
        let launcher = namespaces ? try Self.launcher() : ""
        // Sandboxes of one executable run one at a time, machine-wide: they would share its
        // inode, and with it kernel state keyed by file and offset (non-private futexes on its
        // code pages are a channel between two that run at once). The lock comes before the
        // sandbox's hard link, whose count the running candidate could otherwise read as
        // "another evaluation of this source is waiting".
        let lock: FileLock?
        do { lock = namespaces ? try FileLock(executable.path) : nil } catch {
            throw (error as? FileLock.Refusal)?.cascadeError ?? error
        }
        let root: SandboxRoot
        do { root = try SandboxRoot.make(executable: executable, forNamespaces: namespaces) } catch {
            lock?.release()
            throw error
        }
        guard namespaces, let lock else {
            let rlimits = [
                "--cpu=\(limits.cpuSeconds)", "--as=\(limits.addressSpaceBytes)", "--fsize=\(limits.fileSizeBytes)",
                "--nofile=\(limits.openFiles)", "--nproc=\(limits.processes)", "--core=0",
            ]
            return try ChildSession.start(
                executable: Tools.path("prlimit") ?? "/usr/bin/prlimit",
                arguments: rlimits + ["--", root.folder.appendingPathComponent("candidate").path],
                workingDirectory: root.folder.appendingPathComponent("tmp").path, launchesThroughStartPipe: false,
                limits: limits, spawner: spawner, terminate: {}, memoryLimitHit: { false }, cleanup: { root.remove() })
        }
        let lease: SandboxIdentityLease
        do { lease = try SandboxIdentity.lease() } catch {
            lock.release()
            root.remove()
            throw error
        }
        let identity = lease.identity
        let cgroup = limits.memoryCgroup ? MemoryCgroup.create(name: root.name, limitBytes: limits.addressSpaceBytes) : nil
        // With a cgroup, it bounds the sandbox's resident memory (tmpfs included) and RLIMIT_AS
        // is only a backstop above it, so that running out is the cgroup's OOM kill (`memory`).
        let addressSpace = cgroup == nil ? limits.addressSpaceBytes : 2 * limits.addressSpaceBytes
        let arguments = ["run", root.folder.path, "\(identity.uid)", "\(limits.scratchBytes)", "\(limits.scratchFiles)",
                         "\(limits.cpuSeconds)", "\(addressSpace)", "\(limits.fileSizeBytes)", "\(limits.openFiles)",
                         // PID 1 of the sandbox has the candidate's uid too, and counts.
                         "\(limits.processes + 1)", cgroup.map { $0.path + "/cgroup.procs" } ?? "-"]
        return try ChildSession.start(
            executable: launcher, arguments: arguments, workingDirectory: nil, launchesThroughStartPipe: true,
            limits: limits, spawner: spawner,
            terminate: { identity.killAll(members: cgroup) },
            memoryLimitHit: { cgroup?.oomKilled ?? false },
            cleanup: {
                // Only once no process of the sandbox is alive: nothing can race the deletion.
                let gone = identity.killAll(members: nil)  // a full sweep, whatever the cgroup says
                cgroup?.remove()
                root.remove()
                // A uid whose processes would not die stays this process's: no later sandbox
                // shares it with them.
                if gone { lease.release() }
                lock.release()
            })
    }
}

extension Sandbox {
    /// The `sim-cascade-sandbox` helper: next to the running executable (as `swift build` puts
    /// it), or in `../lib/sim-cascade/` for an installed binary.
    static func launcher(executable: URL = CandidateToolchain.currentExecutable) throws -> String {
        let folder = executable.deletingLastPathComponent()
        for candidate in [folder.appendingPathComponent("sim-cascade-sandbox"),
                          folder.appendingPathComponent("../lib/sim-cascade/sim-cascade-sandbox").standardizedFileURL]
        where FileManager.default.isExecutableFile(atPath: candidate.path) {
            return candidate.path
        }
        throw CascadeError.toolchainMissing("sim-cascade-sandbox not found next to \(executable.path) (run `swift build`)")
    }
}

/// The folder a sandboxed child sees as `/`: its executable, `tmp/`, the only place it may
/// write, and `proc/self/exe`, a link to the executable.
struct SandboxRoot: Sendable {
    var folder: URL
    /// `sim-cascade-sandbox-<owner>-<uuid>`, where the owner names this process (see
    /// `StaleSandboxes`); the sandbox's cgroup has the same name.
    var name: String

    static func make(executable: URL, forNamespaces: Bool) throws -> SandboxRoot {
        let fm = FileManager.default
        let name = "\(StaleSandboxes.prefix)\(StaleSandboxes.owner)-\(UUID().uuidString)"
        let folder = StaleSandboxes.folder.appendingPathComponent(name)
        do {
            try fm.createDirectory(at: folder.appendingPathComponent("tmp"), withIntermediateDirectories: true)
            let target = folder.appendingPathComponent("candidate")
            do { try fm.linkItem(at: executable, to: target) } catch { try fm.copyItem(at: executable, to: target) }
            chmod(folder.path, 0o755)
            // Execute-only in a sandbox: the candidate gets no descriptor of its executable (not
            // by its path, not through /proc/self/exe), so it can neither evict nor probe that
            // file's pages in the page cache — state that every sandbox of the same source
            // shares (a hard link of one cached file) and that outlives each of them.
            if forNamespaces {
                chmod(target.path, 0o111)
                // No /proc in the sandbox, only the one entry the Swift runtime reads: the
                // executable's path (`Unable to obtain Swift runtime path` without it).
                try fm.createDirectory(at: folder.appendingPathComponent("proc/self"), withIntermediateDirectories: true)
                try fm.createSymbolicLink(atPath: folder.appendingPathComponent("proc/self/exe").path, withDestinationPath: "/candidate")
            }
            // In a namespace sandbox, tmp/ is only a mount point for the sandbox's own tmpfs.
            if !forNamespaces { chmod(folder.appendingPathComponent("tmp").path, 0o700) }
        } catch {
            try? fm.removeItem(at: folder)
            throw CascadeError.system("cannot prepare the sandbox folder \(folder.path): \(error.localizedDescription)")
        }
        return SandboxRoot(folder: folder, name: name)
    }

    func remove() { try? FileManager.default.removeItem(at: folder) }
}

/// Absolute paths of the system tools the sandbox uses.
enum Tools {
    static func path(_ name: String) -> String? {
        for dir in ["/usr/bin", "/usr/sbin", "/bin", "/sbin"] {
            let candidate = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}
