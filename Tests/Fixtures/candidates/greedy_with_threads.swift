import CandidateAPI
import Glibc

// An honest greedy policy that also does what an ordinary program may do under the sandbox's
// allow list: start and join a thread, fork and wait for a child, allocate and touch 64 MiB,
// use its /tmp, read the clock. It must score exactly as the built-in greedy.
nonisolated(unsafe) var checked = false

func ordinaryWork() -> String {
    var thread = pthread_t()
    let started = pthread_create(&thread, nil, { _ in nil }, nil)
    let joined = started == 0 ? pthread_join(thread, nil) : -1
    let child = fork()
    if child == 0 { _exit(0) }
    var status: Int32 = 0
    let waited = child > 0 && waitpid(child, &status, 0) == child
    let memory = malloc(64 << 20)
    if let memory { memset(memory, 1, 64 << 20); free(memory) }
    let file = open("/tmp/scratch", O_CREAT | O_RDWR, 0o600)
    let wrote = file >= 0 && write(file, "x", 1) == 1
    var now = timespec()
    let clock = clock_gettime(CLOCK_MONOTONIC, &now)
    return "thread \(started) \(joined) fork \(waited) memory \(memory != nil) file \(wrote) clock \(clock)"
}

struct Candidate: SpotPolicy {
    init() {
        if checked { return }
        checked = true
        let line = ordinaryWork() + "\n"
        _ = line.withCString { write(2, $0, strlen($0)) }
    }
    mutating func decide(_ v: SpotView) -> Cluster {
        let remaining = v.taskDuration - v.workDone
        if remaining <= 1e-9 { return .none }
        let ticksLeft = ((v.deadline - v.elapsed) / v.gap).rounded(.down)
        let withOneRestart = ((remaining + v.restartOverhead) / v.gap).rounded(.up)
        let withTwoRestarts = ((remaining + 2 * v.restartOverhead) / v.gap).rounded(.up)
        if withOneRestart >= ticksLeft { return .onDemand }
        if withTwoRestarts >= ticksLeft {
            return v.currentCluster == .spot && v.hasSpot ? .spot : .onDemand
        }
        return v.hasSpot ? .spot : .none
    }
}
