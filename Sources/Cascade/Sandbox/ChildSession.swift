import CandidateAPI
import CandidateWire
import CSpawnShims
import Foundation
import Sim
#if canImport(Glibc)
import Glibc
import SimCore
#endif

/// A running sandboxed child and the parent's side of its query protocol.
///
/// Single-threaded: one `poll` loop writes the request, reads the answer, drains the child's
/// stdout and stderr into a capped log, and enforces the wall-clock deadline. Every failure is
/// classified here (timeout, memory, crash, invalid answer, output limit), and the sandbox's
/// processes (by uid, through `terminate`) and the launcher's group are killed and reaped
/// before it is reported.
public final class ChildSession {
    let pid: pid_t
    let limits: SandboxLimits
    private(set) var deadline: Double
    private var requestFd: Int32
    private var answerFd: Int32
    private var logFds: [Int32]
    /// The write end of the launcher's lifeline (-1 without a launcher).
    private var lifelineFd: Int32
    /// Whether the candidate's hello has arrived (the first exchange waits for it).
    private var helloReceived = false
    private var pending: [UInt8] = []
    /// Reused for every read.
    private var chunk = [UInt8](repeating: 0, count: 1 << 16)
    /// stdout and stderr of the child, interleaved as read, at most `limits.logBytes`.
    public private(set) var log: [UInt8] = []
    private var logOverflow = false
    private var exitStatus: Int32?
    private var cpuSeconds = 0.0
    private let cleanup: @Sendable () -> Void
    /// Kills whatever of the sandbox outlived its process group (e.g. after `setsid`).
    private let terminate: @Sendable () -> Void
    private let memoryLimitHit: @Sendable () -> Bool
    private var affinity: CPUAffinity?
    /// When the child started, on the monotonic clock.
    /// When the candidate's `execve` succeeded (the wall-clock budget starts there: the
    /// namespaces' and the chroot's setup is the machine's time, not the candidate's).
    public private(set) var startTime: Double

    /// Starts the launcher and waits until the candidate runs.
    ///
    /// - Parameter launchesThroughStartPipe: the launcher reports on fd 5 (the start pipe) and
    ///   watches fd 6 (the lifeline): see `sim-cascade-sandbox`'s main.c.
    static func start(executable: String, arguments: [String], workingDirectory: String?, launchesThroughStartPipe: Bool,
                      limits: SandboxLimits, spawner: any ProcessSpawner, terminate: @escaping @Sendable () -> Void,
                      memoryLimitHit: @escaping @Sendable () -> Bool,
                      cleanup: @escaping @Sendable () -> Void) throws -> ChildSession {
        signal(SIGPIPE, SIG_IGN)  // a dead child must surface as EPIPE, not kill the parent
        var pipes: [Pipe2] = []
        do {
            for _ in 0..<(launchesThroughStartPipe ? 7 : 5) { pipes.append(try Pipe2()) }
        } catch {
            for p in pipes { close(p.read); close(p.write) }
            cleanup()
            throw error
        }
        let (requests, answers, out, err) = (pipes[0], pipes[1], pipes[2], pipes[3])
        // Standard input: an empty pipe of its own, at end-of-file. Not the host's /dev/null: a
        // host inode anyone may write to, whose times (`utimensat` of fd 0 sets them to now)
        // the next sandbox would read.
        close(pipes[4].write)
        let input = pipes[4].read
        _ = sim_cascade_set_pipe_size(requests.write, 1 << 20)
        var descriptors = [(input, Int32(0)), (out.write, 1), (err.write, 2), (requests.read, 3), (answers.write, 4)]
        // The start pipe's write end and the lifeline's read end go to the launcher; the
        // lifeline's write end stays here, so that this process's death (by any thread, by any
        // means) reads as end-of-file there and the sandbox dies with it.
        let startPipe = launchesThroughStartPipe ? pipes[5] : nil
        let lifeline = launchesThroughStartPipe ? pipes[6] : nil
        if let startPipe, let lifeline { descriptors += [(startPipe.write, 5), (lifeline.read, 6)] }
        let request = SpawnRequest(executable: executable, arguments: arguments, environment: [],
                                   workingDirectory: workingDirectory, descriptors: descriptors)
        // Parent and child share one CPU: a pipe round trip between two CPUs of a VM costs ~8x
        // one on the same CPU, and evaluations get their parallelism from running several at
        // once, one per CPU. The child inherits the pin; the parent's is undone in `finish`.
        let affinity = CPUAffinity.pinCurrentThread()
        let childEnds = descriptors.map(\.0)
        let pid: pid_t
        do {
            pid = try spawner.spawn(request)
        } catch {
            affinity?.restore()
            for fd in childEnds + [requests.write, answers.read, out.read, err.read] { close(fd) }
            if let startPipe, let lifeline { close(startPipe.read); close(lifeline.write) }
            cleanup()
            throw error
        }
        for fd in childEnds { close(fd) }
        for fd in [requests.write, answers.read, out.read, err.read] {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        }
        let session = ChildSession(pid: pid, limits: limits, requestFd: requests.write, answerFd: answers.read,
                                   logFds: [out.read, err.read], lifelineFd: lifeline?.write ?? -1, affinity: affinity,
                                   terminate: terminate, memoryLimitHit: memoryLimitHit, cleanup: cleanup)
        if let startPipe {
            try session.awaitStart(startPipe.read)
            session.startTime = monotonicSeconds()
            session.deadline = session.startTime + limits.wallSeconds
        }
        return session
    }

    private init(pid: pid_t, limits: SandboxLimits, requestFd: Int32, answerFd: Int32, logFds: [Int32],
                 lifelineFd: Int32, affinity: CPUAffinity?, terminate: @escaping @Sendable () -> Void,
                 memoryLimitHit: @escaping @Sendable () -> Bool, cleanup: @escaping @Sendable () -> Void) {
        self.affinity = affinity
        self.terminate = terminate
        self.memoryLimitHit = memoryLimitHit
        self.pid = pid
        self.limits = limits
        self.requestFd = requestFd
        self.answerFd = answerFd
        self.logFds = logFds
        self.lifelineFd = lifelineFd
        self.cleanup = cleanup
        startTime = monotonicSeconds()
        deadline = startTime + limits.wallSeconds
    }

    /// Waits for the launcher's word on the start pipe: exactly "E" and then end-of-file when
    /// the candidate's `execve` succeeded (the pipe is close-on-exec), else the line of the
    /// step that failed. Nothing the candidate does can write there: until the `execve`, only
    /// trusted code runs.
    /// - Throws: `CascadeError.system` with the launcher's message.
    private func awaitStart(_ fd: Int32) throws {
        defer { close(fd) }
        var text: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 512)
        let limit = monotonicSeconds() + 30
        while monotonicSeconds() < limit {
            var ready = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let polled = poll(&ready, 1, 100)
            if polled < 0 && errno != EINTR { break }
            if polled <= 0 { continue }
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
            if n > 0 && text.count < 4096 { text.append(contentsOf: buffer[0..<n]) }
            if n == 0 {
                if text == Array("E".utf8) { return }
                break
            }
            if n < 0 && errno != EINTR { break }
        }
        killAndReap()
        // "E" then a line: the execve itself failed.
        var detail = String(decoding: text.first == UInt8(ascii: "E") ? Array(text.dropFirst()) : text, as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        if detail.isEmpty, let status = exitStatus {
            let (signaled, signal, code) = decode(status)
            detail = signaled ? "the launcher was killed by \(signalName(signal))" : "the launcher exited with status \(code)"
        }
        throw CascadeError.system("the sandbox did not start" + (detail.isEmpty ? "" : ": \(CandidateText.escaped(detail, lineBreak: " | "))"))
    }

    /// Waits for the candidate's first answer (its hello), which the first exchange otherwise
    /// awaits; `nil` once it arrived. For measuring the sandbox's start.
    public func awaitFirstAnswer() -> CandidateFailure? {
        helloReceived ? nil : awaitHello()
    }

    /// Waits for the hello the candidate executable's `main` writes first. The candidate runs
    /// by then: whatever goes wrong is its failure.
    private func awaitHello() -> CandidateFailure? {
        let hello = WireDescriptors.hello
        while pending.count < hello.count {
            let ready: Readiness
            switch waitForIO(writing: false) {
            case .failure(let failure): return fail(failure)
            case .success(let r): ready = r
            }
            if ready.answer && readAvailable(answerFd, into: &pending, cap: hello.count) == .eof && pending.count < hello.count {
                return died("closed the protocol before answering")
            }
            if ready.logs, let failure = drainLogs() { return fail(failure) }
        }
        guard Array(pending.prefix(hello.count)) == hello else {
            return fail(CandidateFailure(.invalidAnswer, "did not open the protocol with its hello"))
        }
        pending.removeFirst(hello.count)
        helloReceived = true
        return nil
    }

    deinit {
        if exitStatus == nil { killAndReap() }
        for fd in [requestFd, answerFd, lifelineFd] + logFds where fd >= 0 { close(fd) }
        cleanup()
    }

    /// Sends one request frame and waits for an answer of `count` decision bytes.
    ///
    /// - Returns: the answer bytes, or the classified failure (the child is dead by then).
    /// - Complexity: usually three system calls (write, poll, read) per exchange.
    public func exchange(_ request: [UInt8], answerCount count: Int) -> Result<[UInt8], CandidateFailure> {
        exchange(request, expectedLength: count, maxLength: count)
    }

    /// Sends one request frame and waits for an answer frame of at most `maxLength` bytes.
    public func exchange(_ request: [UInt8], maxAnswerBytes: Int) -> Result<[UInt8], CandidateFailure> {
        exchange(request, expectedLength: nil, maxLength: maxAnswerBytes)
    }

    private func exchange(_ request: [UInt8], expectedLength: Int?, maxLength: Int) -> Result<[UInt8], CandidateFailure> {
        if !helloReceived, let failure = awaitHello() { return .failure(failure) }
        var written = 0
        while true {
            if written < request.count {
                let n = request.withUnsafeBytes { write(requestFd, $0.baseAddress! + written, request.count - written) }
                if n > 0 {
                    written += n
                } else if n < 0 && errno != EAGAIN && errno != EINTR {
                    return .failure(died("stopped reading queries"))
                }
            }
            if let count = announcedLength {
                if let expected = expectedLength, count != expected {
                    return .failure(fail(CandidateFailure(.invalidAnswer, "answered \(count) decisions to \(expected) queries")))
                }
                guard count <= maxLength else {
                    return .failure(fail(CandidateFailure(.invalidAnswer, "announced a \(count)-byte answer (limit \(maxLength))")))
                }
                if pending.count >= 4 + count && written == request.count {
                    let answer = Array(pending[4 ..< 4 + count])
                    pending.removeFirst(4 + count)
                    return .success(answer)
                }
            }
            let ready: Readiness
            switch waitForIO(writing: written < request.count) {
            case .failure(let failure): return .failure(fail(failure))
            case .success(let r): ready = r
            }
            if ready.answer {
                // Read the header, then no further than this answer plus one byte (to catch an
                // answer to a question not yet asked): a flooding child cannot hold the parent.
                var closed = false
                if pending.count < 4 { closed = readAvailable(answerFd, into: &pending, cap: 4) == .eof }
                if let length = announcedLength, !closed {
                    let frame = 4 + length
                    closed = readAvailable(answerFd, into: &pending, cap: min(frame, 4 + maxLength) + 1) == .eof
                    if pending.count > frame {
                        return .failure(fail(CandidateFailure(.invalidAnswer, "sent more than the answer to the question asked")))
                    }
                }
                let complete = announcedLength.map { pending.count >= 4 + $0 } ?? false
                if closed && !complete { return .failure(died("closed the protocol before answering")) }
            }
            if ready.logs, let failure = drainLogs() { return .failure(fail(failure)) }
        }
    }

    /// The byte count the pending answer frame announces, once its header has arrived.
    private var announcedLength: Int? {
        pending.count < 4 ? nil : pending.withUnsafeBytes { Int(UInt32(littleEndian: $0.loadUnaligned(as: UInt32.self))) }
    }

    /// Ends the protocol (closes the request pipe after `endFrame`) and reaps the child; a child
    /// that does not exit promptly is killed. Returns the child's log.
    public func finish(endFrame: [UInt8]) {
        _ = endFrame.withUnsafeBytes { write(requestFd, $0.baseAddress!, $0.count) }
        close(requestFd)
        requestFd = -1
        let grace = min(monotonicSeconds() + 2, deadline)
        // Wait on the launcher's exit and the logs only: the answer pipe, at end-of-file, would
        // wake every poll and spin this process on the CPU it shares with the exiting sandbox.
        let exitFd = sim_cascade_pidfd_open(pid)
        defer { if exitFd >= 0 { close(exitFd) } }
        while exitStatus == nil && monotonicSeconds() < grace {
            if reap(blocking: false) { break }
            var fds = [pollfd(fd: exitFd, events: Int16(POLLIN), revents: 0)]
            for fd in logFds { fds.append(pollfd(fd: fd, events: Int16(POLLIN), revents: 0)) }
            _ = poll(&fds, nfds_t(fds.count), 10)
            if drainLogs() != nil { break }
        }
        killAndReap()
        _ = drainLogs()
    }

    /// Kills the process group (the launcher, the candidate and anything it started) and reaps it.
    public func killAndReap() {
        if exitStatus == nil {
            // The sandbox's processes first, so that the launcher reaps its child (no orphan
            // zombie keeps the sandbox's cgroup busy), then the launcher's group. Whatever
            // escaped both is swept once more by the session's cleanup.
            terminate()
            kill(-pid, SIGKILL)
            _ = reap(blocking: true)
        }
        if lifelineFd >= 0 {
            close(lifelineFd)
            lifelineFd = -1
        }
        affinity?.restore()
        affinity = nil
    }

    // MARK: - Internals

    private enum ReadResult { case data, none, eof }

    /// Reads what is available, stopping once `buffer` holds `cap` bytes.
    private func readAvailable(_ fd: Int32, into buffer: inout [UInt8], cap: Int) -> ReadResult {
        guard fd >= 0 else { return .none }
        var got = ReadResult.none
        while buffer.count < cap {
            let want = min(chunk.count, cap - buffer.count)
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress!, want) }
            if n > 0 {
                buffer.append(contentsOf: chunk[0..<n])
                got = .data
                // A short read drained the pipe: skip the read that would only say EAGAIN.
                if n < want { return got }
            } else if n == 0 {
                return .eof
            } else {
                return errno == EINTR ? readAvailable(fd, into: &buffer, cap: cap) : got
            }
        }
        return got
    }

    /// Reads whatever the child logged; a log beyond the cap is an `output_limit` failure.
    private func drainLogs() -> CandidateFailure? {
        for (i, fd) in logFds.enumerated() where fd >= 0 {
            if readAvailable(fd, into: &log, cap: limits.logBytes + 1) == .eof {
                close(fd)
                logFds[i] = -1
            }
            if log.count > limits.logBytes {
                log.removeLast(log.count - limits.logBytes)
                logOverflow = true
                return CandidateFailure(.outputLimit, "wrote more than \(limits.logBytes) bytes to stdout/stderr")
            }
        }
        return nil
    }

    struct Readiness {
        var answer = false
        var logs = false
    }

    /// Waits until a descriptor is ready or the deadline passes.
    private func waitForIO(writing: Bool, maxWaitMs: Int32 = 1000) -> Result<Readiness, CandidateFailure> {
        let remaining = deadline - monotonicSeconds()
        if remaining <= 0 {
            return .failure(CandidateFailure(.timeout, "exceeded the wall-clock limit of \(limits.wallSeconds) s"))
        }
        var fds = [pollfd(fd: answerFd, events: Int16(POLLIN), revents: 0),
                   pollfd(fd: writing ? requestFd : -1, events: Int16(POLLOUT), revents: 0)]
        for fd in logFds { fds.append(pollfd(fd: fd, events: Int16(POLLIN), revents: 0)) }
        let timeout = min(Int32((remaining * 1000).rounded(.up)), maxWaitMs)
        guard poll(&fds, nfds_t(fds.count), timeout) > 0 else { return .success(Readiness()) }
        var ready = Readiness()
        ready.answer = fds[0].revents != 0
        ready.logs = fds[2...].contains { $0.revents != 0 }
        return .success(ready)
    }

    /// Kills the group, records the failure and returns it.
    private func fail(_ failure: CandidateFailure) -> CandidateFailure {
        killAndReap()
        return failure
    }

    /// The child stopped talking: find out why from the memory cgroup, its exit status, CPU time
    /// and log.
    ///
    /// `memory` only when the cgroup's OOM killer acted — never from text the candidate printed;
    /// without a cgroup an allocation failure at RLIMIT_AS is a `crash`. A child that closed the
    /// protocol and is still alive after a short grace is killed: `invalid_answer`.
    private func died(_ what: String) -> CandidateFailure {
        let grace = min(monotonicSeconds() + 0.5, deadline)
        while exitStatus == nil && monotonicSeconds() < grace {
            if reap(blocking: false) { break }
            usleep(1000)
        }
        let exitedByItself = exitStatus != nil
        killAndReap()
        _ = drainLogs()
        if memoryLimitHit() {
            return CandidateFailure(.memory, "killed at its memory limit of \(limits.addressSpaceBytes >> 20) MiB (the memory cgroup's OOM killer)")
        }
        if cpuSeconds >= Double(limits.cpuSeconds) - 0.5 {
            return CandidateFailure(.timeout, "exceeded the CPU limit of \(limits.cpuSeconds) s")
        }
        guard exitedByItself, let status = exitStatus else { return CandidateFailure(.invalidAnswer, what) }
        let text = logText
        let (signaled, signal, code) = decode(status)
        if signaled {
            // The Swift runtime's own line (e.g. an allocation failure at RLIMIT_AS) names the
            // cause better than the stack trace after it; it is still the candidate's text.
            let fatal = text.split(separator: "\n").first { $0.hasPrefix("Fatal error:") }.map { ": " + sanitized(String($0)) } ?? ""
            return CandidateFailure(.crash, "killed by signal \(signalName(signal)) (\(signal))" + fatal + logSuffix(text))
        }
        if code != 0 { return CandidateFailure(.crash, "exited with status \(code) (\(what))" + logSuffix(text)) }
        return CandidateFailure(.invalidAnswer, what)
    }

    /// Reaps the launcher; `true` once it has exited.
    private func reap(blocking: Bool) -> Bool {
        guard exitStatus == nil else { return true }
        var status: Int32 = 0
        var usage = rusage()
        let r = wait4(pid, &status, blocking ? 0 : WNOHANG, &usage)
        if r == pid {
            exitStatus = status
            cpuSeconds = Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) * 1e-6
                + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) * 1e-6
            kill(-pid, SIGKILL)  // anything left in the group
            return true
        }
        if r < 0 && errno == EINTR && blocking { return reap(blocking: true) }
        return false
    }

    /// The log as text (invalid UTF-8 repaired).
    public var logText: String { String(decoding: log, as: UTF8.self) }

    /// Whether the log was cut at its cap.
    public var logWasTruncated: Bool { logOverflow }

    private func tail(_ text: String) -> String {
        let lines = text.split(separator: "\n").suffix(12)
        let joined = lines.joined(separator: "\n")
        return joined.count > 2000 ? String(joined.suffix(2000)) : joined
    }

    private func logSuffix(_ text: String) -> String {
        let t = sanitized(tail(text))
        return t.isEmpty ? "" : " — candidate's last output: \(t)"
    }

    /// The candidate's text, lines joined, escaped (see `CandidateText`).
    private func sanitized(_ text: String) -> String { CandidateText.escaped(text, lineBreak: " | ") }
}
