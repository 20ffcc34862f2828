import CandidateAPI

// Defines a policy, but not under the name `Candidate`.
struct MyPolicy: SpotPolicy {
    init() {}
    mutating func decide(_ v: SpotView) -> Cluster { .onDemand }
}
