import Foundation
import TestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The breaches candidates written as an attacker would write them found, each closed and
/// checked from outside on this test's own sandboxes (uids of its own range): a keyring channel
/// between stages and evaluations, a thread group that outlives its zombie leader, SysV shared
/// memory beyond the memory limit, syscalls and host files a policy never needs, the memory
/// failure's kind, and an `eval` killed with its sandboxes running.
@Suite(.serialized) struct SandboxBreachTests {
    static let small = ["--scenarios", CandidateFixtures.smallScenarioSet.path, "--timeout", "10", "--memory-mb", "256"]

    private func log(_ result: CommandResult) throws -> String {
        try result.json()["log"] as? String ?? ""
    }

    @Test func keyringsPassNothingBetweenStagesOrEvaluations() throws {
        let uids = SandboxUIDs()
        let candidate = try CandidateFixtures.materialize("keyring_channel")
        // Every level (three sandboxes), twice, in one uid range: no key is ever written or found.
        for _ in 0..<2 {
            let result = try CandidateFixtures.eval(candidate, Self.small + ["--all-levels"], uids: uids)
            #expect(result.status == 0, "\(result.stderr)")
            let text = try log(result)
            #expect(text.contains("add_key: -1 errno 1"), "log: \(text)")
            #expect(!text.contains("found a key"), "log: \(text)")
            #expect(text.contains("open /proc/keys: -1"), "log: \(text)")
        }
        #expect(uids.keyUsers() == [], "key users of this test's sandbox uids")
        #expect(uids.processes() == [])
    }

    @Test func aThreadOfAZombieLeaderDoesNotOutliveTheEvaluation() throws {
        let result = try CandidateFixtures.eval(try CandidateFixtures.materialize("zombie_leader"), Self.small)
        #expect(result.status == 0, "\(result.stderr)")
        let text = try log(result)
        #expect(text.contains("thread: 0"), "the thread never started: \(text)")
        #expect(result.sandboxUIDs?.processes() == [], "sandbox processes outlived eval")
    }

    @Test func sharedMemorySegmentsAreRefused() throws {
        let result = try CandidateFixtures.eval(try CandidateFixtures.materialize("shm_hoard"), Self.small)
        #expect(result.status == 0, "\(result.stderr)")
        let text = try log(result)
        #expect(text.contains("shmget: -1 errno 1") && text.contains("held 0 MiB"), "log: \(text)")
        #expect(result.sandboxUIDs?.sharedMemorySegments() == [])
    }

    @Test func syscallsAndHostFilesAPolicyNeverNeedsAreRefused() throws {
        let result = try CandidateFixtures.eval(try CandidateFixtures.materialize("syscall_probe"), Self.small)
        #expect(result.status == 0, "\(result.stderr)")
        let text = try log(result)
        for line in ["io_uring_setup: -1 errno 1", "netlink: -1 errno 1", "vsock: -1 errno 1", "ptrace: -1 errno 1",
                     "unshare: -1 errno 1", "bpf: -1 errno 1", "open /proc/self/status: refused"] {
            #expect(text.contains(line), "missing \(line): \(text)")
        }
        for file in ["keys", "key-users", "kallsyms", "config.gz", "cmdline", "sysrq-trigger", "sys/kernel/hostname", "meminfo"] {
            #expect(text.contains("open /proc/\(file): -1"), "/proc/\(file) was readable: \(text)")
        }
    }

    @Test func theExecutablesPageCacheIsNeitherEvictableNorReadable() throws {
        let result = try CandidateFixtures.eval(try CandidateFixtures.materialize("page_cache_probe"), Self.small)
        #expect(result.status == 0, "\(result.stderr)")
        let text = try log(result)
        for line in ["open /candidate: -1 errno 13", "open /proc/self/exe: -1", "madvise pageout: -1 errno 1", "mincore: -1 errno 1"] {
            #expect(text.contains(line), "missing \(line): \(text)")
        }
        #expect(!text.contains("fadvise"), "\(text)")
    }

    @Test func noKernelWideCounterOrQuotaCanBeReachedNorTheCPUPinLeft() throws {
        let result = try CandidateFixtures.eval(try CandidateFixtures.materialize("counter_channel"), Self.small)
        #expect(result.status == 0, "\(result.stderr)")
        let text = try log(result)
        for call in ["socket", "socketpair", "pipe", "memfd_create", "pidfd_open", "sched_setaffinity", "sysinfo",
                     "inotify_init1", "io_setup", "mq_open", "mmap hugetlb", "ustat", "statfs", "flock", "fcntl setpipe",
                     "listmount", "utimensat fd 0", "prctl memory merge"] {
            #expect(text.contains("\(call): -1 errno 1"), "\(call) was allowed: \(text)")
        }
        #expect(text.contains("stat /proc/self/status: -1 errno 1") && text.contains("fd 0 is a pipe: true"), "\(text)")
        // The root is a small tmpfs of its own (inode numbers 1…16), and read-only.
        let largest = text.components(separatedBy: "largest inode number ").dropFirst().first.flatMap { Int($0.prefix { $0.isNumber }) }
        #expect(text.contains("root entries true") && (largest ?? .max) <= 16, "\(text)")
        #expect(text.contains("create in /: -1 errno 30"), "\(text)")
    }

    /// No sandbox can tell the time of day, so none can read when the one before it ended (eight
    /// bits a hop between stages, found by the hostile pass of issue 17): every clock it can
    /// reach gives an error or a time offset at random per sandbox; the vDSO is gone and cannot
    /// be mapped again (a second execve, ARCH_MAP_VDSO); the time-stamp counter faults; the host
    /// disk's map and init's limits are refused.
    @Test func noSandboxCanTellTheTimeOfDay() throws {
        let result = try CandidateFixtures.eval(try CandidateFixtures.materialize("clock_channel"), Self.small + ["--all-levels"])
        #expect(result.status == 0, "\(result.stderr)")
        let text = try log(result)
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        let stages = text.components(separatedBy: "realtime ").dropFirst()
        #expect(stages.count == 3, "\(text)")
        var monotonic: Set<Int> = []
        for stage in stages {
            let fields = stage.split(whereSeparator: { $0 == " " || $0 == "\n" })
            // realtime -1 coarse -1 tai -1, monotonic M …: never the host's monotonic clock.
            #expect(Array(fields.prefix(5)) == ["-1", "coarse", "-1", "tai", "-1"], "\(stage)")
            // MONOTONIC_RAW − MONOTONIC would be the host's NTP correction: refused.
            #expect(fields.firstIndex(of: "raw").map { fields[$0 + 1] } == "-1", "\(stage)")
            if let i = fields.firstIndex(of: "monotonic"), let value = Int(fields[i + 1]) {
                monotonic.insert(value)
                #expect(abs(value - now.tv_sec) > 60, "the sandbox's monotonic clock is the host's: \(value)")
            }
        }
        #expect(monotonic.count == 3, "every sandbox has clocks of its own: \(monotonic)")
        for line in ["time -1", "gettimeofday -1", "syscall realtime: -1 errno 1", "syscall time: -1 errno 1", "times: -1 errno 1",
                     "vsyscall time gave the date: false", "vdso named: false", "arch_prctl map_vdso: -1 errno 1",
                     "nanosleep: 0", "coarse monotonic moves: true", "fstat new file: -1 errno 1",
                     "fstat fd 3: -1 errno 1", "stat /candidate: -1 errno 1", "statx /: -1 errno 1", "timerfd realtime: -1 errno 1",
                     "timer_create realtime: -1 errno 1", "clock_nanosleep realtime: -1 errno 1", "futex clock_realtime: -1 errno 110",
                     "futex lock_pi timed: -1 errno 110", "timerfd monotonic: true", "second execve refused: true",
                     "ioctl getfsmap: -1 errno 1", "prlimit init: -1 errno 1", "prlimit self: 0"] {
            #expect(text.components(separatedBy: line + "\n").count == 4, "missing in a stage: \(line): \(text)")
        }
        #if arch(x86_64)
        #expect(text.components(separatedBy: "rdtsc killed by signal: true").count == 4, "\(text)")
        #endif
    }

    /// The log of an honest fixture that must score exactly as the built-in greedy.
    private func logScoringLikeGreedy(_ fixture: String) throws -> String {
        let result = try CandidateFixtures.eval(try CandidateFixtures.materialize(fixture))
        let json = try result.json()
        #expect(json["valid"] as? Bool == true, "\(fixture): \(json["failure"] ?? "")")
        let small = TestPaths.spotTraces.appendingPathComponent("scenarios-small.json").path  // the eval's (CandidateFixtures.eval)
        let builtIn = try CommandRunner.run(["simulate", "spot", "--policy", "greedy", "--scenarios", small, "--json"]).json()
        #expect(json["mean_cost"] as? Double == builtIn["mean_cost"] as? Double)
        return try log(result)
    }

    /// Waiting the ways honest programs do still works with the time of day hidden: a contended
    /// Synchronization.Mutex, a timed condition wait (it times out at once), a sleep (second
    /// red-team pass: the first two crashed the candidate).
    @Test func honestWaitsWorkWithTheTimeOfDayHidden() throws {
        let text = try logScoringLikeGreedy("honest_waits")
        #expect(text.contains("mutex counter: 400000\ncond timedwait: timed out\nnanosleep: 0"), "\(text)")
    }

    /// The allow list leaves ordinary program behaviour alone: threads, fork, memory, /tmp, time.
    @Test func anHonestCandidateUsingThreadsAndForksScoresLikeTheBuiltIn() throws {
        let text = try logScoringLikeGreedy("greedy_with_threads")
        #expect(text.contains("thread 0 0 fork true memory true file true clock 0"), "\(text)")
    }

    @Test func queuedSignalsAreCappedInTheSandbox() throws {
        let result = try CandidateFixtures.eval(try CandidateFixtures.materialize("signal_queue"), Self.small)
        #expect(result.status == 0, "\(result.stderr)")
        let text = try log(result)
        #expect(text.contains("queued 16 signals"), "\(text)")
    }

    @Test func runningOutOfMemoryIsMemoryOnlyWhenTheCgroupSaysSo() throws {
        let bomb = try CandidateFixtures.materialize("memory_bomb")
        let withCgroup = try CandidateFixtures.eval(bomb, Self.small)
        let failure = try #require(try withCgroup.json()["failure"] as? [String: Any])
        if withCgroup.stderr.contains("warning: no memory cgroup") {
            #expect(failure["kind"] as? String == "crash")
        } else {
            #expect(failure["kind"] as? String == "memory", "\(failure)")
        }
        // Without the cgroup, the allocation fails at RLIMIT_AS: a crash, whatever it printed.
        let without = try CandidateFixtures.eval(bomb, Self.small + ["--no-memory-cgroup"])
        let plain = try #require(try without.json()["failure"] as? [String: Any])
        let message = plain["message"] as? String ?? ""
        #expect(plain["kind"] as? String == "crash" && message.contains("failed to allocate"), "\(plain)")
        #expect(withCgroup.sandboxUIDs?.processes() == [] && without.sandboxUIDs?.processes() == [])
    }

    @Test func aKilledEvalTakesItsSandboxAndTheNextRemovesWhatIsLeft() throws {
        let sleeper = try CandidateFixtures.materialize("sleep_forever")
        let uids = SandboxUIDs()
        let eval = Process()
        eval.executableURL = CommandRunner.executable
        eval.arguments = ["eval", sleeper.path, "--json", "--scenarios", CandidateFixtures.smallScenarioSet.path, "--timeout", "120"]
        var environment = ProcessInfo.processInfo.environment
        environment["SIM_CASCADE_CACHE"] = CandidateFixtures.cache.path
        environment["SIM_CASCADE_SANDBOX_UIDS"] = uids.description
        eval.environment = environment
        eval.standardOutput = FileHandle.nullDevice
        eval.standardError = FileHandle.nullDevice
        try eval.run()
        // Its sandbox runs under one of this test's uids (the host uid is the sandbox's own,
        // never root's); then `eval` is killed outright.
        var running: [String] = []
        for _ in 0..<1_200 where eval.isRunning {
            running = uids.processes()
            if !running.isEmpty { break }
            usleep(100_000)
        }
        #expect(!running.isEmpty, "the sandbox never ran under the test's uids")
        kill(eval.processIdentifier, SIGKILL)
        eval.waitUntilExit()
        #expect(uids.processesAfterWaiting(seconds: 20) == [], "the sandbox outlived its eval")

        let mine = "sim-cascade-sandbox-\(eval.processIdentifier)."
        let temporary = FileManager.default.temporaryDirectory.path
        let before = ((try? FileManager.default.contentsOfDirectory(atPath: temporary)) ?? []).filter { $0.hasPrefix(mine) }
        #expect(!before.isEmpty, "the killed eval left no folder: nothing for the next one to remove")
        // Its uid lease's file too (the lock died with it): one of this test's uids.
        let leases = ["/run", "/tmp"].map { $0 + "/sim-cascade-uid-leases" }
        func leaseFiles() -> [String] {
            leases.flatMap { folder in
                ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [])
                    .filter { UInt32($0).map(uids.range.contains) == true }
            }
        }
        #expect(!leaseFiles().isEmpty, "the killed eval left no uid lease: nothing for the next one to remove")

        let next = try CandidateFixtures.eval(try CandidateFixtures.template(), CandidateSandboxTests.small)
        #expect(try next.json()["valid"] as? Bool == true)
        // What the killed eval left (named after its pid) is gone: folders and memory cgroups.
        var leftovers = ((try? FileManager.default.contentsOfDirectory(atPath: temporary)) ?? []).filter { $0.hasPrefix(mine) }
        if let cgroups = Self.memoryCgroupFolder() {
            leftovers += ((try? FileManager.default.contentsOfDirectory(atPath: cgroups)) ?? []).filter { $0.hasPrefix(mine) }
        }
        leftovers += leaseFiles()
        #expect(leftovers == [], "stale sandbox folders, cgroups or uid leases: \(leftovers)")
    }

    /// This process's cgroup v1 memory folder (where sim-cascade, its child, makes its cgroups).
    /// A compile dies with its `eval` (hostile pass of issue 17: swiftc ran on after a `kill -9`
    /// of `eval`, as root and as the compile uid, until it finished).
    @Test func aKilledEvalTakesItsCompileWithIt() throws {
        guard geteuid() == 0 else { return }  // unprivileged, the compiler is the eval's own child
        // Slow to compile (seconds of optimiser work), and new to the cache.
        var source = "import CandidateAPI\n// \(UUID().uuidString)\n"
        for i in 0..<2_000 {
            source += "@inline(never) func f\(i)(_ x: [Int]) -> Int { var s = \(i); "
                + "for (j, v) in x.enumerated() where v % \(i % 7 + 2) == 0 { s = s &* 31 &+ v &+ j }; return s }\n"
        }
        source += "struct Candidate: SpotPolicy {\n    mutating func decide(_ v: SpotView) -> Cluster {\n        var t = 0\n"
        for i in 0..<2_000 { source += "        t &+= f\(i)([t, \(i)])\n" }
        source += "        return t == 42 ? .onDemand : (v.hasSpot ? .spot : .onDemand)\n    }\n}\n"
        let folder = TestPaths.sessionFolder.appendingPathComponent("slow-compile-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("candidate.swift")
        try source.write(to: file, atomically: true, encoding: .utf8)

        let eval = Process()
        eval.executableURL = CommandRunner.executable
        eval.arguments = ["eval", file.path, "--json", "--scenarios", CandidateFixtures.smallScenarioSet.path]
        var environment = ProcessInfo.processInfo.environment
        environment["SIM_CASCADE_CACHE"] = CandidateFixtures.cache.path
        eval.environment = environment
        eval.standardOutput = FileHandle.nullDevice
        eval.standardError = FileHandle.nullDevice
        try eval.run()
        // The compile's processes work in its build folder, named after the eval's pid.
        let buildFolder = "/sim-cascade-compile-\(eval.processIdentifier)."
        func compileProcesses() -> [String] {
            ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).filter { entry in
                guard Int32(entry) != nil, let cwd = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(entry)/cwd")
                else { return false }
                return cwd.contains(buildFolder)
            }
        }
        var compiling: [String] = []
        for _ in 0..<1_200 where eval.isRunning {
            compiling = compileProcesses().filter { (try? String(contentsOfFile: "/proc/\($0)/comm", encoding: .utf8))?.hasPrefix("swift-frontend") == true }
            if !compiling.isEmpty { break }
            usleep(50_000)
        }
        #expect(!compiling.isEmpty, "the compiler was never seen running")
        kill(eval.processIdentifier, SIGKILL)
        eval.waitUntilExit()
        var left = compileProcesses()
        for _ in 0..<200 where !left.isEmpty {
            usleep(100_000)
            left = compileProcesses().filter { pid in  // a zombie waiting for its reaper is gone
                !((try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8))?.contains(") Z ") ?? true)
            }
        }
        #expect(left == [], "compile processes outlived their eval: \(left)")
    }

    static func memoryCgroupFolder() -> String? {
        let membership = (try? String(contentsOfFile: "/proc/self/cgroup", encoding: .utf8)) ?? ""
        for line in membership.split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            if parts.count == 3 && parts[1].split(separator: ",").contains("memory") {
                return "/sys/fs/cgroup/memory" + (parts[2] == "/" ? "" : String(parts[2]))
            }
        }
        return nil
    }
}
