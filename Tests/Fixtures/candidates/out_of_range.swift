import CandidateAPI

// Answers with a bit pattern that is no Cluster case.
struct Candidate: SpotPolicy {
    init() {}
    mutating func decide(_ v: SpotView) -> Cluster {
        unsafeBitCast(UInt8(7), to: Cluster.self)
    }
}
