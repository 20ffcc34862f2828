import CandidateAPI
import Glibc

// The time of day is a channel between sandboxes: the one before chose when it ended, so the
// time at which the next one starts is its message (eight bits a hop from stage to stage,
// found by the hostile pass of issue 17). Reads every clock a process can reach — through the
// C library (vDSO), raw system calls, the vDSO's data pages themselves, file times, the
// time-stamp counter, absolute waits on the time of day — and the other routes out of the
// sandbox's view: a second execve or ARCH_MAP_VDSO (a fresh vDSO), the host disk's map through
// an ioctl on `/`, and the limits of the sandbox's init. Prints what each gave.
@_silgen_name("syscall") func sys(_ n: Int, _ a: Int, _ b: Int, _ c: Int, _ d: Int, _ e: Int) -> Int
@_silgen_name("getauxval") func auxiliaryValue(_ type: UInt) -> UInt

nonisolated(unsafe) var tried = false

func report(_ line: String) {
    let text = line + "\n"
    _ = text.withCString { write(2, $0, strlen($0)) }
}

/// Seconds of a clock through the C library, or -1.
func seconds(_ clock: clockid_t) -> Int {
    var now = timespec()
    return clock_gettime(clock, &now) == 0 ? now.tv_sec : -1
}

struct Candidate: SpotPolicy {
    init() {
        if tried { return }
        tried = true
        report("realtime \(seconds(CLOCK_REALTIME)) coarse \(seconds(CLOCK_REALTIME_COARSE)) tai \(seconds(CLOCK_TAI))")
        report("monotonic \(seconds(CLOCK_MONOTONIC)) boottime \(seconds(CLOCK_BOOTTIME)) raw \(seconds(CLOCK_MONOTONIC_RAW))")
        report("time \(time(nil))")
        var tv = timeval()
        report("gettimeofday \(gettimeofday(&tv, nil) == 0 ? tv.tv_sec : -1)")
        var raw = timespec()
        report("syscall realtime: \(sys(228, 0, Int(bitPattern: UnsafeMutableRawPointer(&raw)), 0, 0, 0)) errno \(errno)")
        report("syscall time: \(sys(201, 0, 0, 0, 0, 0)) errno \(errno)")
        var ticks = [Int](repeating: 0, count: 4)
        report("times: \(ticks.withUnsafeMutableBytes { sys(100, Int(bitPattern: $0.baseAddress!), 0, 0, 0, 0) }) errno \(errno)")
        // The legacy vsyscall page's time(): emulated by the kernel, under the seccomp filter.
        let vsyscallTime = unsafeBitCast(UInt(0xffff_ffff_ff60_0400), to: (@convention(c) (UnsafeMutableRawPointer?) -> Int).self)
        let pid = fork()
        if pid == 0 { _exit(vsyscallTime(nil) > 1_000_000 ? 7 : 8) }
        var status: Int32 = 0
        _ = waitpid(pid, &status, 0)
        report("vsyscall time gave the date: \(status == 7 << 8)")
        // The vDSO (and its data pages, just below its code): gone, and not named any more.
        report("vdso named: \(auxiliaryValue(33) != 0)")  // AT_SYSINFO_EHDR
        // Mapping a fresh one (it would hold the real clock data) after clearing room for it.
        let room = mmap(nil, 64 * 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)!
        munmap(room, 64 * 4096)
        report("arch_prctl map_vdso: \(sys(158, 0x2003, Int(bitPattern: room), 0, 0, 0)) errno \(errno)")
        // The coarse monotonic clock moves (a system call, not a frozen data page).
        var first = timespec(), later = timespec()
        clock_gettime(CLOCK_MONOTONIC_COARSE, &first)
        var pause = timespec(tv_sec: 0, tv_nsec: 30_000_000)
        report("nanosleep: \(nanosleep(&pause, nil))")
        clock_gettime(CLOCK_MONOTONIC_COARSE, &later)
        report("coarse monotonic moves: \(later.tv_sec * 1_000_000_000 + later.tv_nsec > first.tv_sec * 1_000_000_000 + first.tv_nsec)")
        // File times: of a fresh file, of the protocol pipe, of the executable.
        let fd = open("/tmp/t", O_CREAT | O_RDWR, 0o600)
        var info = stat()
        report("fstat new file: \(fstat(fd, &info)) errno \(errno)")
        report("fstat fd 3: \(fstat(3, &info)) errno \(errno)")
        report("stat /candidate: \(stat("/candidate", &info)) errno \(errno)")
        var big = [UInt8](repeating: 0, count: 512)
        report("statx /: \(big.withUnsafeMutableBytes { raw in "/".withCString { sys(332, -100, Int(bitPattern: $0), 0, 0xfff, Int(bitPattern: raw.baseAddress!)) } }) errno \(errno)")
        // Timers, sleeps and futex waits against the time of day.
        report("timerfd realtime: \(sys(283, 0, 0, 0, 0, 0)) errno \(errno)")
        report("timer_create realtime: \(withUnsafeMutablePointer(to: &ticks[0]) { sys(222, 0, 0, Int(bitPattern: $0), 0, 0) }) errno \(errno)")
        var zero = timespec()
        report("clock_nanosleep realtime: \(sys(230, 0, 1, Int(bitPattern: UnsafeMutableRawPointer(&zero)), 0, 0)) errno \(errno)")
        var word: UInt32 = 0
        // (A timed wait on the time of day times out at once, whatever the time.)
        report("futex clock_realtime: \(withUnsafeMutablePointer(to: &word) { sys(202, Int(bitPattern: $0), 9 | 256, 0, Int(bitPattern: UnsafeMutableRawPointer(&zero)), 0) }) errno \(errno)")
        var owned: UInt32 = 12345  // held by a thread that is not this one
        report("futex lock_pi timed: \(withUnsafeMutablePointer(to: &owned) { sys(202, Int(bitPattern: $0), 6, 0, Int(bitPattern: UnsafeMutableRawPointer(&zero)), 0) }) errno \(errno)")
        report("timerfd monotonic: \(sys(283, 1, 0, 0, 0, 0) >= 0)")
        // The time-stamp counter: rdtsc; shl rdx, 32; or rax, rdx; ret — in a child, which it kills.
        let code: [UInt8] = [0x0f, 0x31, 0x48, 0xc1, 0xe2, 0x20, 0x48, 0x09, 0xd0, 0xc3]
        let page = mmap(nil, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)!
        page.copyMemory(from: code, byteCount: code.count)
        let rdtsc = unsafeBitCast(page, to: (@convention(c) () -> UInt64).self)
        let counter = fork()
        if counter == 0 { _exit(rdtsc() > 0 ? 0 : 1) }
        _ = waitpid(counter, &status, 0)
        report("rdtsc killed by signal: \((status & 0x7f) == SIGSEGV)")
        // Other views: a second execve, the host disk's map, init's limits.
        let again = fork()
        if again == 0 {
            var argv: [UnsafeMutablePointer<CChar>?] = [strdup("candidate"), nil]
            let r = execve("/candidate", &argv, [nil])
            _exit(r == -1 && errno == EPERM ? 9 : 10)
        }
        _ = waitpid(again, &status, 0)
        report("second execve refused: \(status == 9 << 8)")
        let root = open("/", O_RDONLY | O_DIRECTORY)
        var map = [UInt8](repeating: 0, count: 8192)
        report("ioctl getfsmap: \(map.withUnsafeMutableBytes { sys(16, Int(root), 0xC0C0_583B, Int(bitPattern: $0.baseAddress!), 0, 0) }) errno \(errno)")
        report("ioctl tcgets fd 1: \(isatty(1)) errno \(errno)")
        var limit = rlimit(rlim_cur: 1, rlim_max: 1)
        report("prlimit init: \(sys(302, 1, Int(RLIMIT_NOFILE.rawValue), Int(bitPattern: UnsafeMutableRawPointer(&limit)), 0, 0)) errno \(errno)")
        report("prlimit self: \(sys(302, 0, Int(RLIMIT_NOFILE.rawValue), 0, Int(bitPattern: UnsafeMutableRawPointer(&limit)), 0))")
    }
    mutating func decide(_ v: SpotView) -> Cluster { v.hasSpot ? .spot : .onDemand }
}
