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
                    timeoutSeconds: Double, lifeline: Bool = false, spawner: any ProcessSpawner = PosixSpawner()) throws -> Outcome {
        let output = try Pipe2()
        // The lifeline's write end stays here (close-on-exec: no other child inherits it), so
        // this process's death reads as end-of-file in the tool's launcher.
        let life = lifeline ? try Pipe2() : nil
        defer { if let life { close(life.write) } }
        let devNull = open("/dev/null", O_RDONLY | O_CLOEXEC)
        defer { close(devNull) }
        let pid: pid_t
        do {
            pid = try spawner.spawn(SpawnRequest(
                executable: tool, arguments: arguments, environment: environment, workingDirectory: directory,
                descriptors: [(devNull, 0), (output.write, 1), (output.write, 2)] + (life.map { [($0.read, Int32(3))] } ?? [])))
        } catch {
            close(output.read)
            close(output.write)
            if let life { close(life.read) }
            throw CascadeError.toolchainMissing("cannot run \(tool): \(error)")
        }
        close(output.write)
        if let life { close(life.read) }
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

    /// A command to run, and whether it watches a lifeline at fd 3 (`sim-cascade-sandbox tool`).
    struct Command {
        var tool: String
        var arguments: [String]
        var lifeline = false
    }

    /// `tool arguments…` wrapped so that every process it starts dies with it, or with this
    /// process however it dies, and its memory and files are bounded: `sim-cascade-sandbox
    /// tool` runs it in a PID namespace of its own (the compiler driver starts frontends in
    /// process groups of their own, which a group kill misses; a namespace's processes all die
    /// with its init), watching a lifeline this process holds, with RLIMIT_AS and RLIMIT_FSIZE.
    /// With `uid`, the tool runs as that uid and gid, with no supplementary groups and
    /// no-new-privileges. The bare command where this process is not root (no namespaces).
    static func contained(_ tool: String, _ arguments: [String], addressSpaceBytes: Int,
                          fileSizeBytes: Int, uid: uid_t? = nil) -> Command {
        guard geteuid() == 0, let launcher = try? Sandbox.launcher() else { return Command(tool: tool, arguments: arguments) }
        return Command(tool: launcher, arguments: ["tool", uid.map { "\($0)" } ?? "-", "\(addressSpaceBytes)", "\(fileSizeBytes)", tool]
                           + arguments, lifeline: true)
    }

    /// Runs `command` (see `run(_:arguments:…)`), holding the write end of its lifeline while
    /// it runs.
    static func run(_ command: Command, in directory: String? = nil, environment: [String] = ToolRunner.inheritedEnvironment,
                    timeoutSeconds: Double) throws -> Outcome {
        try run(command.tool, arguments: command.arguments, in: directory, environment: environment,
                timeoutSeconds: timeoutSeconds, lifeline: command.lifeline)
    }

    /// This process's environment, as `KEY=value` strings.
    static var inheritedEnvironment: [String] {
        ProcessInfo.processInfo.environment.map { "\($0.key)=\($0.value)" }
    }
}
