import CandidateAPI
import Glibc

// Claims to have run out of memory, then exits normally.
struct Candidate: SpotPolicy {
    init() {
        print("Fatal error: failed to allocate 1 bytes of memory with alignment 8")
        print("out of memory")
        exit(0)
    }
    mutating func decide(_ v: SpotView) -> Cluster { .none }
}
