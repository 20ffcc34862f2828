import CSpawnShims
import Foundation
import SimCore
#if canImport(Glibc)
import Glibc
#endif

// Small process-level pieces of the sandbox: pipes, wait statuses, CPU pinning.

/// A pipe whose both ends are close-on-exec (the spawner maps the child's ends explicitly).
struct Pipe2 {
    var read: Int32
    var write: Int32

    init() throws {
        var fds: [Int32] = [0, 0]
        guard sim_cascade_pipe_cloexec(&fds) == 0 else {
            throw CascadeError.system("cannot create a pipe: \(String(cString: strerror(errno)))")
        }
        read = fds[0]
        write = fds[1]
    }
}

/// `(signaled, signal, exit code)` of a wait status (the launcher re-raises its child's fatal
/// signal, so a signal death of the candidate shows here as one).
func decode(_ status: Int32) -> (Bool, Int32, Int32) {
    let signal = status & 0x7f
    if signal != 0 && signal != 0x7f { return (true, signal, 0) }
    return (false, 0, (status >> 8) & 0xff)
}

func signalName(_ signal: Int32) -> String {
    let names: [Int32: String] = [
        SIGILL: "SIGILL", SIGTRAP: "SIGTRAP", SIGABRT: "SIGABRT", SIGBUS: "SIGBUS", SIGFPE: "SIGFPE",
        SIGKILL: "SIGKILL", SIGSEGV: "SIGSEGV", SIGPIPE: "SIGPIPE", SIGTERM: "SIGTERM", SIGXCPU: "SIGXCPU",
        SIGXFSZ: "SIGXFSZ", SIGSYS: "SIGSYS",
    ]
    return names[signal] ?? "signal"
}

/// A thread's saved CPU affinity.
struct CPUAffinity {
    private var saved: [UInt8]

    /// Pins the calling thread to its current CPU; `nil` if that is not possible.
    static func pinCurrentThread() -> CPUAffinity? {
        var saved = [UInt8](repeating: 0, count: Int(sim_cascade_affinity_size()))
        let cpu = saved.withUnsafeMutableBytes { sim_cascade_pin_current_thread($0.baseAddress!) }
        return cpu >= 0 ? CPUAffinity(saved: saved) : nil
    }

    func restore() {
        _ = saved.withUnsafeBytes { sim_cascade_restore_thread_affinity($0.baseAddress!) }
    }
}

/// Ties this process's life to its parent's: a framework that runs `eval` as a subprocess and
/// dies (or abandons a timed-out evaluation's thread) must not leave the evaluation running.
public enum ParentDeath {
    /// The environment variable in which a caller may name its pid, closing the race of a
    /// parent that died before `follow` ran.
    public static let parentVariable = "SIM_CASCADE_PARENT_PID"

    /// Whether `pid` is this process's parent, or its parent's, and so on (from `/proc`; at
    /// most 64 generations).
    static func isAncestor(_ pid: pid_t) -> Bool {
        var current = getppid()
        for _ in 0..<64 {
            if current == pid { return true }
            guard current > 1, let parent = ProcStat(pid: current)?.parent else { return false }
            current = parent
        }
        return false
    }

    /// Asks for `signal` when the parent ends (SIGTERM: a PostgreSQL server this process runs
    /// is stopped by its handler; sandboxed children die with this process by their own
    /// parent-death signal).
    /// - Returns: `false` when the process named in `SIM_CASCADE_PARENT_PID` is already gone.
    /// - Throws: `CascadeError.system` when the kernel refuses.
    public static func follow(signal: Int32 = SIGTERM, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Bool {
        guard sim_cascade_set_parent_death_signal(signal) == 0 else {
            throw CascadeError.system("cannot set a parent-death signal: \(String(cString: strerror(errno)))")
        }
        // Gone: not an ancestor of this process any more. A wrapper between the caller and this
        // process (`timeout`, a script) leaves the caller an ancestor; a reused pid does not.
        if let named = environment[parentVariable].flatMap({ pid_t($0) }), named > 1, !isAncestor(named) {
            return false
        }
        return true
    }
}
