import CandidateAPI
import Glibc

// Tries what a policy never needs: io_uring, netlink and vsock sockets, ptrace, new
// namespaces, mounts; reads host files through /proc. Prints each result.
@_silgen_name("syscall") func sys(_ n: Int, _ a: Int, _ b: Int, _ c: Int, _ d: Int, _ e: Int) -> Int

nonisolated(unsafe) var tried = false

struct Candidate: SpotPolicy {
    init() {
        if tried { return }
        tried = true
        var params = [UInt8](repeating: 0, count: 120)
        let ring = params.withUnsafeMutableBytes { sys(425, 8, Int(bitPattern: $0.baseAddress!), 0, 0, 0) }
        print("io_uring_setup: \(ring) errno \(errno)")
        print("netlink: \(socket(16, 3, 0)) errno \(errno)")
        print("vsock: \(socket(40, 1, 0)) errno \(errno)")
        print("ptrace: \(sys(101, 0, 0, 0, 0, 0)) errno \(errno)")
        print("unshare: \(sys(272, 0x10000000, 0, 0, 0, 0)) errno \(errno)")
        print("bpf: \(sys(321, 0, 0, 0, 0, 0)) errno \(errno)")
        for file in ["/proc/keys", "/proc/key-users", "/proc/kallsyms", "/proc/config.gz", "/proc/cmdline",
                     "/proc/sysrq-trigger", "/proc/sys/kernel/hostname", "/proc/meminfo"] {
            print("open \(file): \(open(file, O_RDONLY))")
        }
        print("open /proc/self/status: \(open("/proc/self/status", O_RDONLY) >= 0 ? "ok" : "refused")")
    }
    mutating func decide(_ v: SpotView) -> Cluster { v.hasSpot ? .spot : .onDemand }
}
