import CandidateAPI
import Glibc

// Replaces its answer pipe with stderr in the middle of the run and goes on: the parent's end
// reads end-of-file at once (no trusted process outside holds the pipe).
struct Candidate: SpotPolicy {
    init() {}
    mutating func decide(_ v: SpotView) -> Cluster {
        if v.tick == 10 { _ = dup2(2, 4) }
        return .onDemand
    }
}
