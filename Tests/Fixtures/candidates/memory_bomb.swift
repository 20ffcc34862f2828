import CandidateAPI

struct Candidate: SpotPolicy {
    var hoard: [[UInt64]] = []
    init() {}
    mutating func decide(_ v: SpotView) -> Cluster {
        while true { hoard.append([UInt64](repeating: UInt64(v.tick), count: 8 << 20)) }
    }
}
