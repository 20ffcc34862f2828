import CandidateAPI
import Glibc

// Floods the answer descriptor from a second process, hoping to stall the evaluator.
struct Candidate: SpotPolicy {
    init() {
        if fork() == 0 {
            var junk = [UInt8](repeating: 1, count: 65536)
            while true { _ = write(4, &junk, junk.count) }
        }
    }
    mutating func decide(_ v: SpotView) -> Cluster { .onDemand }
}
