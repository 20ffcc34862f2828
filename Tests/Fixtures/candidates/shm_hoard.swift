import CandidateAPI
import Glibc

// Creates SysV shared memory segments, touches every page and detaches, again and again:
// detached segments would not count against RLIMIT_AS.
nonisolated(unsafe) var tried = false

struct Candidate: SpotPolicy {
    init() {
        if tried { return }
        tried = true
        var held = 0
        for _ in 0..<12 {
            let id = shmget(IPC_PRIVATE, 64 << 20, IPC_CREAT | 0o600)
            if id < 0 {
                print("shmget: \(id) errno \(errno)")
                break
            }
            guard let memory = shmat(id, nil, 0), memory != UnsafeMutableRawPointer(bitPattern: -1) else { break }
            memset(memory, 7, 64 << 20)
            _ = shmdt(memory)
            held += 64
        }
        print("held \(held) MiB of shared memory")
    }
    mutating func decide(_ v: SpotView) -> Cluster { v.hasSpot ? .spot : .onDemand }
}
