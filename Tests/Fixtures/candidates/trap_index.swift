import CandidateAPI

struct Candidate: SpotPolicy {
    var table = [Cluster.spot, .onDemand]
    init() {}
    mutating func decide(_ v: SpotView) -> Cluster {
        table[v.tick + 5]  // out of range: traps
    }
}
