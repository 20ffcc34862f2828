import CandidateAPI
import Glibc

// Tries to write a file outside its temporary folder, then behaves.
struct Candidate: SpotPolicy {
    init() {
        for path in ["__MARKER__", "/__MARKER_NAME__", "/tmp/../__MARKER_NAME__", "/proc/1/root__MARKER__"] {
            let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            if fd >= 0 { _ = write(fd, "escaped", 7); close(fd) }
        }
        _ = chroot("/tmp")  // needs privileges it does not have
    }
    mutating func decide(_ v: SpotView) -> Cluster { .onDemand }
}
