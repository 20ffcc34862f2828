import CandidateAPI
import Glibc

// Tries to start a shell that writes a marker file on the host, by posix_spawn and by fork+exec.
struct Candidate: SpotPolicy {
    init() {}
    mutating func decide(_ v: SpotView) -> Cluster {
        let script = "echo escaped > __MARKER__"
        var pid: pid_t = 0
        let argv: [UnsafeMutablePointer<CChar>?] = [strdup("sh"), strdup("-c"), strdup(script), nil]
        let spawned = posix_spawn(&pid, "/bin/sh", nil, nil, argv, nil)
        let child = fork()
        if child == 0 {
            execv("/bin/sh", argv)
            _exit(0)
        }
        fatalError("spawn status \(spawned), fork \(child)")
    }
}
