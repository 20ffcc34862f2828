import Foundation
import Sim
#if canImport(Glibc)
import Glibc
import SimCore
#endif

/// Runs a trusted tool (swiftc, unshare) to completion with a wall-clock limit, capturing its
/// combined output. Uses the same spawner as the sandbox rather than Foundation's `Process`,
/// whose background reaper threads cost CPU during evaluations.
enum ToolRunner {
    struct Outcome {
        var status: Int32
        var output: String
        var timedOut: Bool
        /// User + system seconds of the tool and every descendant it waited for (its rusage).
        var cpuSeconds: Double = 0
    }

    static func run(_ tool: String, arguments: [String], in directory: String? = nil,
                    environment: [String] = ToolRunner.inheritedEnvironment,
                    timeoutSeconds: Double, spawner: any ProcessSpawner = PosixSpawner()) throws -> Outcome {
        let output = try Pipe2()
        let devNull = open("/dev/null", O_RDONLY | O_CLOEXEC)
        defer { close(devNull) }
        let pid: pid_t
        do {
            pid = try spawner.spawn(SpawnRequest(
                executable: tool, arguments: arguments, environment: environment, workingDirectory: directory,
                descriptors: [(devNull, 0), (output.write, 1), (output.write, 2)]))
        } catch {
            close(output.read)
            close(output.write)
            throw CascadeError.toolchainMissing("cannot run \(tool): \(error)")
        }
        close(output.write)
        defer { close(output.read) }
        _ = fcntl(output.read, F_SETFL, fcntl(output.read, F_GETFL) | O_NONBLOCK)

        let deadline = monotonicSeconds() + timeoutSeconds
        var collected: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        var timedOut = false
        var open = true
        while open {
            let remaining = deadline - monotonicSeconds()
            if remaining <= 0 {
                timedOut = true
                break
            }
            var fd = pollfd(fd: output.read, events: Int16(POLLIN), revents: 0)
            _ = poll(&fd, 1, Int32(min(remaining * 1000, 1000).rounded(.up)))
            while true {
                let n = chunk.withUnsafeMutableBytes { read(output.read, $0.baseAddress!, $0.count) }
                if n > 0 {
                    if collected.count < 1 << 20 { collected.append(contentsOf: chunk[0..<n]) }
                } else {
                    if n == 0 { open = false }
                    break
                }
            }
        }
        if timedOut { kill(-pid, SIGKILL) }
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 && errno == EINTR {}
        let (signaled, signal, code) = decode(status)
        let cpu = Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
            + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) * 1e-6
        return Outcome(status: signaled ? 128 + signal : code, output: String(decoding: collected, as: UTF8.self),
                       timedOut: timedOut, cpuSeconds: cpu)
    }

    /// `tool arguments…` wrapped so that every process it starts dies with it and its memory and
    /// files are bounded: its own PID namespace (the compiler driver starts frontends in process
    /// groups of their own, which a group kill misses; a namespace's processes all die with its
    /// init), RLIMIT_AS and RLIMIT_FSIZE. Falls back to the bare command where namespaces are
    /// unavailable.
    /// With `uid`, the tool runs as that uid and gid, with no supplementary groups and
    /// no-new-privileges (util-linux `setpriv`).
    static func contained(_ tool: String, _ arguments: [String], addressSpaceBytes: Int,
                          fileSizeBytes: Int, uid: uid_t? = nil) -> (String, [String]) {
        guard geteuid() == 0, let unshare = Tools.path("unshare"), let prlimit = Tools.path("prlimit") else {
            return (tool, arguments)
        }
        var user: [String] = []
        if let uid, let setpriv = Tools.path("setpriv") {
            user = [setpriv, "--reuid=\(uid)", "--regid=\(uid)", "--clear-groups", "--no-new-privs", "--"]
        }
        return (unshare, ["--pid", "--fork", "--kill-child", "--mount-proc", "--"] + user
                    + [prlimit, "--as=\(addressSpaceBytes)", "--fsize=\(fileSizeBytes)", "--core=0", "--", tool] + arguments)
    }

    /// This process's environment, as `KEY=value` strings.
    static var inheritedEnvironment: [String] {
        ProcessInfo.processInfo.environment.map { "\($0.key)=\($0.value)" }
    }
}
