import CandidateAPI

struct Candidate: SpotPolicy {
    init() {}
    mutating func decide(_ v: SpotView) -> Cluster {
        return .spot +   // syntax error
    }
}
