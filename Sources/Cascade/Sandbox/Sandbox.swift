import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// How untrusted code is contained.
public enum SandboxMode: String, Sendable {
    /// Mount, PID, network, IPC and UTS namespaces with a private /proc and a private tmpfs;
    /// chroot into a fresh folder; a uid/gid of its own; no-new-privileges; rlimits; a memory
    /// cgroup where available; empty environment.
    case namespaces
    /// rlimits, an own process group, an empty environment and a scratch working folder only —
    /// for trusted code on machines without namespaces (`--unsafe-no-sandbox`).
    case unsafeNone = "none"
}

/// Starts candidate executables inside the sandbox. The tools are util-linux's `unshare`,
/// `prlimit` and `setpriv` and coreutils' `chroot`, all present on Debian.
public struct Sandbox: Sendable {
    public var mode: SandboxMode
    public var limits: SandboxLimits
    public var spawner: any ProcessSpawner

    /// Chooses the sandbox: namespaces when this machine supports them, else an error unless
    /// `allowUnsafe`.
    /// - Throws: `CascadeError.sandboxUnavailable` naming what is missing.
    public static func make(allowUnsafe: Bool, limits: SandboxLimits,
                            spawner: any ProcessSpawner = PosixSpawner()) throws -> Sandbox {
        let limits = try limits.validated()
        if let problem = namespaceProblem() {
            guard allowUnsafe else { throw CascadeError.sandboxUnavailable(problem) }
            return Sandbox(mode: .unsafeNone, limits: limits, spawner: spawner)
        }
        return Sandbox(mode: allowUnsafe ? .unsafeNone : .namespaces, limits: limits, spawner: spawner)
    }

    /// Why namespaces cannot be used here, or `nil` when they can.
    static func namespaceProblem() -> String? {
        guard geteuid() == 0 else { return "namespaces and chroot need root, and this process is not root" }
        for tool in ["unshare", "prlimit"] where Tools.path(tool) == nil {
            return "\(tool) not found (install util-linux and coreutils)"
        }
        do {
            let probe = try ToolRunner.run(
                Tools.path("unshare")!,
                arguments: ["--mount", "--pid", "--net", "--ipc", "--uts", "--fork", "--kill-child", "true"],
                environment: [], timeoutSeconds: 10)
            return probe.status == 0 ? nil : "unshare cannot create namespaces on this machine (\(probe.output.prefix(200)))"
        } catch {
            return "cannot run unshare: \(error)"
        }
    }

    /// Starts `executable` in a fresh sandbox and connects the query protocol.
    ///
    /// The launch, by the trusted `sim-cascade-sandbox` helper before any candidate code runs:
    /// join the sandbox's memory cgroup (when there is one); util-linux `unshare` mount, PID,
    /// network, IPC and UTS namespaces with a private /proc; then, inside, mount a size- and
    /// inode-limited tmpfs as the sandbox's /tmp (the candidate writes nothing to the host's
    /// disk, and nothing of it outlives the namespace), set the rlimits, chroot, drop to the
    /// sandbox's own uid, set no-new-privileges and exec the candidate with no environment.
    /// - Throws: `CascadeError.system` when the sandbox itself cannot start.
    /// - Complexity: one process start (a few milliseconds) plus linking the executable.
    public func start(executable: URL) throws -> ChildSession {
        let namespaces = mode == .namespaces
        let root = try SandboxRoot.make(executable: executable, forNamespaces: namespaces)
        let rlimits = [
            "--cpu=\(limits.cpuSeconds)", "--as=\(limits.addressSpaceBytes)", "--fsize=\(limits.fileSizeBytes)",
            "--nofile=\(limits.openFiles)", "--nproc=\(limits.processes)", "--core=0",
        ]
        guard namespaces else {
            return try ChildSession.start(
                executable: Tools.path("prlimit") ?? "/usr/bin/prlimit",
                arguments: rlimits + ["--", root.folder.appendingPathComponent("candidate").path],
                workingDirectory: root.folder.appendingPathComponent("tmp").path,
                limits: limits, spawner: spawner, terminate: {}, memoryLimitHit: { false }, cleanup: { root.remove() })
        }
        let identity = SandboxIdentity.random()
        // Joining a cgroup costs ~8 ms per evaluation here, so it is opt-in: by default the
        // process limit (2 per sandbox) times RLIMIT_AS bounds the sandbox's memory.
        let cgroup = limits.memoryCgroup ? MemoryCgroup.create(limitBytes: limits.addressSpaceBytes) : nil
        let helper = try Self.launcher()
        let inner = [helper, "inner", root.folder.path, "\(identity.uid)", "\(limits.scratchBytes)", "\(limits.scratchFiles)",
                     "\(limits.cpuSeconds)", "\(limits.addressSpaceBytes)", "\(limits.fileSizeBytes)", "\(limits.openFiles)",
                     "\(limits.processes)"]
        let arguments = ["outer", cgroup.map { $0.path + "/cgroup.procs" } ?? "-", "--", Tools.path("unshare")!,
                         "--mount", "--pid", "--net", "--ipc", "--uts", "--fork", "--kill-child",
                         "--mount-proc=\(root.folder.path)/proc", "--"] + inner
        return try ChildSession.start(
            executable: helper, arguments: arguments, workingDirectory: nil,
            limits: limits, spawner: spawner,
            terminate: { identity.killAll(members: cgroup) },
            memoryLimitHit: { cgroup?.hitLimit ?? false },
            cleanup: {
                // Only once no process of the sandbox is alive: nothing can race the deletion.
                identity.killAll(members: nil)  // a full sweep, whatever the cgroup says
                cgroup?.remove()
                root.remove()
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

/// The folder a sandboxed child sees as `/`: its executable, an empty `proc/` for the private
/// /proc, and `tmp/`, the only place it may write.
struct SandboxRoot: Sendable {
    var folder: URL

    static func make(executable: URL, forNamespaces: Bool) throws -> SandboxRoot {
        let fm = FileManager.default
        let folder = fm.temporaryDirectory.appendingPathComponent("sim-cascade-sandbox-\(UUID().uuidString)")
        do {
            try fm.createDirectory(at: folder.appendingPathComponent("proc"), withIntermediateDirectories: true)
            try fm.createDirectory(at: folder.appendingPathComponent("tmp"), withIntermediateDirectories: true)
            let target = folder.appendingPathComponent("candidate")
            do { try fm.linkItem(at: executable, to: target) } catch { try fm.copyItem(at: executable, to: target) }
            chmod(folder.path, 0o755)
            chmod(target.path, 0o555)
            // In a namespace sandbox, tmp/ is only a mount point for the sandbox's own tmpfs.
            if !forNamespaces { chmod(folder.appendingPathComponent("tmp").path, 0o700) }
        } catch {
            try? fm.removeItem(at: folder)
            throw CascadeError.system("cannot prepare the sandbox folder \(folder.path): \(error.localizedDescription)")
        }
        return SandboxRoot(folder: folder)
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
