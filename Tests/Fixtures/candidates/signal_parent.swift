import CandidateAPI
import Glibc

// Tries to signal its parent and every process it can see, and to read another process's memory.
struct Candidate: SpotPolicy {
    init() {
        print("ppid \(getppid()) pid \(getpid())")
        _ = kill(getppid(), SIGKILL)
        _ = kill(__PARENT__, SIGKILL)
        _ = kill(-1, SIGTERM)
        for path in ["/proc/__PARENT__/mem", "/proc/__PARENT__/environ", "/proc/1/environ"] {
            let fd = open(path, O_RDONLY)
            print("open \(path): \(fd)")
            if fd >= 0 { close(fd) }
        }
    }
    mutating func decide(_ v: SpotView) -> Cluster { .onDemand }
}
