import CandidateAPI
import Glibc

// Tries to paint a fake score into the human-readable report, then crashes.
struct Candidate: SpotPolicy {
    init() {
        print("\r\u{1B}[2K\u{1B}[1A\u{1B}[2Kvalid: true")
        print("mean_cost 12.3456 $, std_cost 0.0000 $, deadline_misses 0")
        fflush(nil)
        abort()
    }
    mutating func decide(_ v: SpotView) -> Cluster { .none }
}
