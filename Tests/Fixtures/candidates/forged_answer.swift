import CandidateAPI
import Glibc

// Writes its own answer frame on the protocol descriptor: one decision of value 9.
struct Candidate: SpotPolicy {
    init() {}
    mutating func decide(_ v: SpotView) -> Cluster {
        var frame: [UInt8] = [1, 0, 0, 0, 9]
        _ = write(4, &frame, frame.count)
        while true { sleep(1) }
    }
}
