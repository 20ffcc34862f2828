import CSpawnShims
import SimCore
#if canImport(Glibc)
import Glibc
#endif

/// What to start: an executable, its arguments and environment, and which of the parent's
/// descriptors become which of the child's. Every other descriptor is closed in the child.
public struct SpawnRequest: Sendable {
    public var executable: String
    public var arguments: [String]
    public var environment: [String]
    public var workingDirectory: String?
    /// `(parent descriptor, child descriptor)` pairs, e.g. a pipe end onto the child's fd 3.
    public var descriptors: [(Int32, Int32)]
}

/// The process boundary, behind a protocol so tests can drive the evaluator without spawning.
public protocol ProcessSpawner: Sendable {
    /// Starts the process in a new process group whose id is its pid.
    func spawn(_ request: SpawnRequest) throws -> pid_t
}

/// `posix_spawn` with a new process group, default signal dispositions, an empty signal mask and
/// every descriptor not named in the request closed.
public struct PosixSpawner: ProcessSpawner {
    public init() {}

    public func spawn(_ request: SpawnRequest) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }

        // The dup2s run in order: a source numbered like an earlier target would be replaced
        // before its own dup2, so such sources are first copied above every target.
        let highest = request.descriptors.map(\.1).max() ?? 2
        var copies: [Int32] = []
        defer { for fd in copies { close(fd) } }
        for (source, target) in request.descriptors {
            var from = source
            if source != target && source <= highest {
                from = fcntl(source, F_DUPFD_CLOEXEC, highest + 1)
                guard from >= 0 else { throw CascadeError.system("cannot copy descriptor \(source): \(String(cString: strerror(errno)))") }
                copies.append(from)
            }
            posix_spawn_file_actions_adddup2(&actions, from, target)
        }
        sim_cascade_spawn_addclosefrom(&actions, highest + 1)
        if let directory = request.workingDirectory {
            sim_cascade_spawn_addchdir(&actions, directory)
        }

        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        var allSignals = sigset_t()
        sigfillset(&allSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv = [request.executable] + request.arguments
        var pid: pid_t = 0
        let status = withCStrings(argv) { cArgv in
            withCStrings(request.environment) { cEnv in
                posix_spawn(&pid, request.executable, &actions, &attributes, cArgv, cEnv)
            }
        }
        guard status == 0 else {
            throw CascadeError.system("cannot start \(request.executable): \(String(cString: strerror(status)))")
        }
        return pid
    }
}
