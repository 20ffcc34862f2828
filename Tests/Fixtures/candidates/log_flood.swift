import CandidateAPI

// Writes far more than the log cap to stdout.
struct Candidate: SpotPolicy {
    init() {}
    mutating func decide(_ v: SpotView) -> Cluster {
        let line = String(repeating: "x", count: 1000)
        for _ in 0..<100_000 { print(line) }
        return .onDemand
    }
}
