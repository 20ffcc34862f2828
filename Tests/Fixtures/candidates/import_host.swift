import CandidateAPI
import CandidateHost

// The host (wire codec, query loop, main) is linked into every candidate but never on its
// import path: importing it must not compile.
struct Candidate: SpotPolicy {
    init() {}
    mutating func decide(_ v: SpotView) -> Cluster { .onDemand }
}
