import CandidateAPI
import Glibc

// Closes the protocol descriptors and exits cleanly in the middle of the run.
struct Candidate: SpotPolicy {
    init() {}
    mutating func decide(_ v: SpotView) -> Cluster {
        if v.tick == 10 {
            close(3)
            close(4)
            exit(0)
        }
        return .onDemand
    }
}
