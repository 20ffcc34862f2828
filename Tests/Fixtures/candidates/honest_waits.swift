import CandidateAPI
import Glibc
import Synchronization

// An honest policy that waits the ways programs do, in a sandbox that hides the time of day:
// a Synchronization.Mutex contended by two threads (its slow path is FUTEX_LOCK_PI with no
// timeout), a pthread_cond_timedwait on the default clock (a time-of-day timeout: it times out
// at once), and a sleep. It must score exactly as the built-in greedy.
nonisolated(unsafe) var tried = false

func report(_ line: String) {
    let text = line + "\n"
    _ = text.withCString { write(2, $0, strlen($0)) }
}

final class Counter: Sendable { let value = Mutex(0) }

struct Candidate: SpotPolicy {
    init() {
        if tried { return }
        tried = true
        let counter = Unmanaged.passRetained(Counter()).toOpaque()
        let work: @convention(c) (UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? = { argument in
            let counter = Unmanaged<Counter>.fromOpaque(argument!).takeUnretainedValue()
            for _ in 0..<200_000 {
                counter.value.withLock { v in
                    if v % 1000 == 0 { sched_yield() }
                    v += 1
                }
            }
            return nil
        }
        var thread = pthread_t()
        let created = pthread_create(&thread, nil, work, counter)
        _ = work(counter)
        if created == 0 { pthread_join(thread, nil) }
        let total = Unmanaged<Counter>.fromOpaque(counter).takeUnretainedValue().value.withLock { $0 }
        report("mutex counter: \(total)")

        var mutex = pthread_mutex_t(), condition = pthread_cond_t()
        pthread_mutex_init(&mutex, nil)
        pthread_cond_init(&condition, nil)
        var deadline = timespec(tv_sec: 4_000_000_000, tv_nsec: 0)
        pthread_mutex_lock(&mutex)
        let waited = pthread_cond_timedwait(&condition, &mutex, &deadline)
        pthread_mutex_unlock(&mutex)
        report("cond timedwait: \(waited == ETIMEDOUT ? "timed out" : "\(waited)")")
        var pause = timespec(tv_sec: 0, tv_nsec: 5_000_000)
        report("nanosleep: \(nanosleep(&pause, nil))")
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
