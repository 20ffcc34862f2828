import CandidateAPI

// Spot when available, else wait. Cheap, but when preemptions eat the slack while it runs spot,
// some jobs finish after their deadline.
struct Candidate: SpotPolicy {
    init() {}
    mutating func decide(_ v: SpotView) -> Cluster { v.hasSpot ? .spot : .none }
}
