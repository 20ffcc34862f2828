import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Stops this process's servers when it is interrupted or terminated.
///
/// `pg_ctl` makes the server a session leader, so a Ctrl-C at the terminal never reaches it,
/// and `atexit` handlers do not run when a signal ends the process. For SIGINT, SIGTERM and
/// SIGHUP — where their disposition is still the default — a handler sends each running
/// postmaster SIGQUIT (PostgreSQL's immediate shutdown; `kill` is async-signal-safe), then dies
/// of the same signal. The folders stay for the next start's stale cleanup. A SIGKILL leaves the
/// server running until then.
enum ServerSignals {
    static let capacity = 32
    /// Postmaster pids, 0 for a free slot: a fixed C buffer, read by the handler without locks
    /// or allocation.
    nonisolated(unsafe) private static let slots: UnsafeMutablePointer<pid_t> = {
        let slots = UnsafeMutablePointer<pid_t>.allocate(capacity: capacity)
        slots.initialize(repeating: 0, count: capacity)
        return slots
    }()
    private static let lock = NSLock()
    nonisolated(unsafe) private static var installed = false

    /// Replaces `old` by `new` among the pids the handler stops (either may be `nil`).
    static func track(replacing old: pid_t?, with new: pid_t?) {
        lock.lock()
        defer { lock.unlock() }
        installOnce()
        if let old, let i = (0..<capacity).first(where: { slots[$0] == old }) { slots[i] = 0 }
        if let new, let i = (0..<capacity).first(where: { slots[$0] == 0 }) { slots[i] = new }
    }

    private static func installOnce() {
        guard !installed else { return }
        installed = true
        for signal in [SIGINT, SIGTERM, SIGHUP] {
            var current = sigaction()
            guard sigaction(signal, nil, &current) == 0, current.__sigaction_handler.sa_handler == nil else { continue }
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { signal in
                for i in 0..<ServerSignals.capacity where ServerSignals.slots[i] > 0 { kill(ServerSignals.slots[i], SIGQUIT) }
                Glibc.signal(signal, SIG_DFL)
                raise(signal)
            }
            sigemptyset(&action.sa_mask)
            sigaction(signal, &action, nil)
        }
    }
}
