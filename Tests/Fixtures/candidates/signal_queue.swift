import CandidateAPI
import Glibc

// Queues real-time signals to itself until the kernel refuses: pending signals are charged to
// the user namespaces' owner, root, whose quota a sandbox must not be able to drain.
@_silgen_name("sigqueue") func sigqueue(_ pid: pid_t, _ signal: Int32, _ value: Int) -> Int32

nonisolated(unsafe) var tried = false
let realTimeSignal: Int32 = 40  // within glibc's SIGRTMIN ... SIGRTMAX

struct Candidate: SpotPolicy {
    init() {
        if tried { return }
        tried = true
        var blocked = sigset_t()
        sigemptyset(&blocked)
        sigaddset(&blocked, realTimeSignal)
        sigprocmask(SIG_BLOCK, &blocked, nil)
        var queued = 0
        while queued < 10_000 && sigqueue(getpid(), realTimeSignal, queued) == 0 { queued += 1 }
        let line = "queued \(queued) signals\n"
        _ = line.withCString { write(2, $0, strlen($0)) }
    }
    mutating func decide(_ v: SpotView) -> Cluster { v.hasSpot ? .spot : .onDemand }
}
