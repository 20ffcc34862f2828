import CandidateAPI

struct Candidate: SpotPolicy {
    var counter = 0
    init() {}
    mutating func decide(_ v: SpotView) -> Cluster {
        while counter >= 0 { counter &+= 1; if counter == Int.max { counter = 0 } }
        return .onDemand
    }
}
