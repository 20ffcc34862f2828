import CSpawnShims
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
