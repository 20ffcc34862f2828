import CandidateAPI
import Glibc

// Prints the runtime's allocation-failure line, then aborts: a crash, not a memory failure.
struct Candidate: SpotPolicy {
    init() {
        print("Fatal error: failed to allocate 1 bytes of memory with alignment 8")
        abort()
    }
    mutating func decide(_ v: SpotView) -> Cluster { .none }
}
