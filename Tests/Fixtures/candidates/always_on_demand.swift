import CandidateAPI

// Never late and never cheap: a cascade gate should stop it at the cheapest level.
struct Candidate: SpotPolicy {
    init() {}
    mutating func decide(_ v: SpotView) -> Cluster { .onDemand }
}
