import CandidateAPI
import Glibc

// Leaves its session, starts a thread that holds 64 MiB and sleeps, and at exit ends only its
// main thread: the process's leader shows as a zombie while the thread runs on.
@_silgen_name("syscall") func sys(_ n: Int, _ a: Int, _ b: Int, _ c: Int, _ d: Int, _ e: Int) -> Int

nonisolated(unsafe) var armed = false

struct Candidate: SpotPolicy {
    init() {
        if armed { return }
        armed = true
        _ = setsid()
        var thread = pthread_t()
        let started = pthread_create(&thread, nil, { _ in
            let hoard = UnsafeMutableRawPointer.allocate(byteCount: 64 << 20, alignment: 4096)
            memset(hoard, 1, 64 << 20)
            while true { sleep(3600) }
        }, nil)
        let line = "thread: \(started)\n"
        _ = line.withCString { write(2, $0, strlen($0)) }
        atexit { _ = sys(60, 0, 0, 0, 0, 0) }  // SYS_exit: this thread only
    }
    mutating func decide(_ v: SpotView) -> Cluster { v.hasSpot ? .spot : .onDemand }
}
