import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// How untrusted code is contained.
public enum SandboxMode: String, Sendable {
    /// Mount, PID, network, IPC and UTS namespaces with a private /proc; chroot into a fresh
    /// folder; uid/gid 65534; no-new-privileges; rlimits; empty environment.
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

    /// The unprivileged identity the candidate runs as (Debian's `nobody`).
    static let sandboxUser = "65534:65534"

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
        for tool in ["unshare", "prlimit", "setpriv", "chroot"] where Tools.path(tool) == nil {
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
    /// - Complexity: one process start (a few milliseconds) plus copying the executable.
    public func start(executable: URL) throws -> ChildSession {
        let root = try SandboxRoot.make(executable: executable, forNamespaces: mode == .namespaces)
        let rlimits = [
            "--cpu=\(limits.cpuSeconds)", "--as=\(limits.addressSpaceBytes)", "--fsize=\(limits.fileSizeBytes)",
            "--nofile=\(limits.openFiles)", "--nproc=\(limits.processes)", "--core=0",
        ]
        let request: (executable: String, arguments: [String], directory: String?)
        switch mode {
        case .namespaces:
            request = (Tools.path("unshare")!, [
                "--mount", "--pid", "--net", "--ipc", "--uts", "--fork", "--kill-child",
                "--mount-proc=\(root.folder.appendingPathComponent("proc").path)", "--",
                Tools.path("prlimit")!,
            ] + rlimits + [
                "--", Tools.path("setpriv")!, "--no-new-privs", "--",
                Tools.path("chroot")!, "--userspec=\(Self.sandboxUser)", root.folder.path, "/candidate",
            ], nil)
        case .unsafeNone:
            request = (Tools.path("prlimit") ?? "/usr/bin/prlimit",
                       rlimits + ["--", root.folder.appendingPathComponent("candidate").path],
                       root.folder.appendingPathComponent("tmp").path)
        }
        return try ChildSession.start(
            executable: request.executable, arguments: request.arguments, workingDirectory: request.directory,
            limits: limits, spawner: spawner, cleanup: { root.remove() })
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
            if forNamespaces {
                chown(folder.appendingPathComponent("tmp").path, 65534, 65534)
                chmod(folder.appendingPathComponent("tmp").path, 0o700)
            }
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
