import CandidateAPI
import Glibc

// Kernel-wide counters outlive a sandbox: a writer advances one (socket cookies; inode numbers
// of pipes, sockets, memfds, AIO contexts, message queues, huge-page mappings and /proc
// entries; pidfds), the next stage reads it. Also machine-wide quotas (inotify, AIO), host file
// system figures, file locks and times of a host file at fd 0, pipe resizing, the host's mount
// ids, KSM page merging, and leaving the CPU the parent pinned it to. Prints what the kernel said to each.
@_silgen_name("syscall") func sys(_ n: Int, _ a: Int, _ b: Int, _ c: Int, _ d: Int, _ e: Int) -> Int

nonisolated(unsafe) var tried = false

func report(_ line: String) {
    let text = line + "\n"
    _ = text.withCString { write(2, $0, strlen($0)) }
}

struct Candidate: SpotPolicy {
    init() {
        if tried { return }
        tried = true
        report("socket: \(socket(1, 1, 0)) errno \(errno)")
        report("socketpair: \(sys(53, 1, 1, 0, 0, 0)) errno \(errno)")
        var fds: [Int32] = [0, 0]
        report("pipe: \(pipe(&fds)) errno \(errno)")
        let name = "x"
        report("memfd_create: \(name.withCString { sys(319, Int(bitPattern: $0), 0, 0, 0, 0) }) errno \(errno)")
        report("pidfd_open: \(sys(434, Int(getpid()), 0, 0, 0, 0)) errno \(errno)")
        var mask: UInt64 = 1
        report("sched_setaffinity: \(withUnsafeMutablePointer(to: &mask) { sys(203, 0, 8, Int(bitPattern: $0), 0, 0) }) errno \(errno)")
        var machine = [UInt8](repeating: 0, count: 256)  // struct sysinfo, with room to spare
        report("sysinfo: \(machine.withUnsafeMutableBytes { sys(99, Int(bitPattern: $0.baseAddress!), 0, 0, 0, 0) }) errno \(errno)")
        report("inotify_init1: \(sys(294, 0, 0, 0, 0, 0)) errno \(errno)")
        var context: UInt64 = 0
        report("io_setup: \(withUnsafeMutablePointer(to: &context) { sys(206, 1, Int(bitPattern: $0), 0, 0, 0) }) errno \(errno)")
        report("mq_open: \("/q".withCString { sys(240, Int(bitPattern: $0), Int(O_CREAT | O_RDWR), 0o600, 0, 0) }) errno \(errno)")
        let huge = mmap(nil, 2 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | 0x40000, -1, 0)
        report("mmap hugetlb: \(huge == MAP_FAILED ? -1 : 0) errno \(errno)")
        var buffer = [UInt8](repeating: 0, count: 512)
        report("ustat: \(buffer.withUnsafeMutableBytes { sys(136, 0xfe00, Int(bitPattern: $0.baseAddress!), 0, 0, 0) }) errno \(errno)")
        report("statfs: \(buffer.withUnsafeMutableBytes { raw in "/".withCString { sys(137, Int(bitPattern: $0), Int(bitPattern: raw.baseAddress!), 0, 0, 0) } }) errno \(errno)")
        report("flock: \(flock(0, LOCK_EX | LOCK_NB)) errno \(errno)")
        report("fcntl setpipe: \(sys(72, 3, 1031, 1 << 20, 0, 0)) errno \(errno)")
        report("listmount: \(buffer.withUnsafeMutableBytes { sys(458, Int(bitPattern: $0.baseAddress!), 0, 0, 0, 0) }) errno \(errno)")
        report("utimensat fd 0: \(sys(280, 0, 0, 0, 0, 0)) errno \(errno)")
        report("prctl memory merge: \(sys(157, 67, 1, 0, 0, 0)) errno \(errno)")
        // The root's directory entries: a tmpfs of the sandbox's own (the host folder's showed
        // the host file system's inode numbers), read-only.
        let root = open("/", O_RDONLY | O_DIRECTORY)
        var entries = [UInt8](repeating: 0, count: 4096)
        let got = entries.withUnsafeMutableBytes { sys(217, Int(root), Int(bitPattern: $0.baseAddress!), 4096, 0, 0) }
        var offset = 0, largest: UInt64 = 0
        while offset < got {
            largest = max(largest, entries.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: UInt64.self) })
            offset += Int(entries[offset + 16]) | Int(entries[offset + 17]) << 8
        }
        report("root entries \(got > 0) largest inode number \(largest)")
        report("create in /: \(open("/new", O_CREAT | O_WRONLY, 0o600)) errno \(errno)")
        // (fstat is refused: file times are the time of day; a pipe cannot seek, /dev/null can.)
        report("fd 0 is a pipe: \(lseek(0, 0, SEEK_CUR) == -1 && errno == ESPIPE)")
        var info = stat()
        report("stat /proc/self/status: \(stat("/proc/self/status", &info)) errno \(errno)")
    }
    mutating func decide(_ v: SpotView) -> Cluster { v.hasSpot ? .spot : .onDemand }
}
