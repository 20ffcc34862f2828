import CandidateAPI
import Glibc

// Leaves its process group and session, forks sleepers that do the same, and refuses to die
// at exit: nothing of it may outlive the evaluation.
nonisolated(unsafe) var armed = false

struct Candidate: SpotPolicy {
    init() {
        if armed { return }
        armed = true
        _ = setsid()
        for _ in 0..<8 {
            if fork() == 0 {
                _ = setsid()
                while true { sleep(3600) }
            }
        }
        atexit { while true { sleep(3600) } }
    }
    mutating func decide(_ v: SpotView) -> Cluster { v.hasSpot ? .spot : .onDemand }
}
