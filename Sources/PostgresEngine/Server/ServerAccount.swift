import CSpawnShims
import Foundation
import SimCore
#if canImport(Glibc)
import Glibc
#endif

/// The user the server runs as, and how its programs are started as that user.
///
/// PostgreSQL refuses to run as root. Run by root, the server runs as an unprivileged user —
/// `SIM_CASCADE_PG_USER`, else Debian's `postgres` (created by the `postgresql` package) —
/// started through `setpriv` (util-linux) with that user's ids and no supplementary groups.
/// Run by anyone else, it runs as that user.
struct ServerAccount: Sendable, Equatable {
    /// `nil`: this process's own user.
    var uid: uid_t?
    var gid: gid_t?
    var name: String

    static func forThisProcess(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> ServerAccount {
        guard geteuid() == 0 else { return ServerAccount(uid: nil, gid: nil, name: "the current user") }
        let name = environment["SIM_CASCADE_PG_USER"] ?? "postgres"
        guard let entry = getpwnam(name), entry.pointee.pw_uid != 0 else {
            throw EngineError.noServerUser("running as root, and there is no unprivileged user '\(name)' to run the "
                + "server as (installing postgresql creates 'postgres'; SIM_CASCADE_PG_USER names another)")
        }
        return ServerAccount(uid: entry.pointee.pw_uid, gid: entry.pointee.pw_gid, name: name)
    }

    /// `program arguments`, as this account.
    func command(_ program: String, _ arguments: [String]) -> [String] {
        guard let uid, let gid else { return [program] + arguments }
        return [Self.setpriv, "--reuid=\(uid)", "--regid=\(gid)", "--clear-groups", "--", program] + arguments
    }

    static let setpriv = ["/usr/bin/setpriv", "/bin/setpriv"].first { FileManager.default.isExecutableFile(atPath: $0) }
        ?? "setpriv"

    /// Makes `path` this account's (a no-op for the current user).
    func own(_ path: String) throws {
        guard let uid, let gid else { return }
        guard chown(path, uid, gid) == 0 else {
            throw EngineError.serverStart("chown \(path) to \(name): \(String(cString: strerror(errno)))")
        }
    }
}

/// Runs a server program to its end (`initdb`, `pg_ctl`), its output into a log file.
///
/// Through `posix_spawn`, not Foundation's `Process`: `pg_ctl start` leaves a server running
/// that must inherit nothing of this process but the log (descriptors from 3 up are closed, the
/// signal mask emptied), and it is waited for with `waitpid`, not a run loop. (`pg_ctl` makes
/// the server a session leader: signals to this process do not reach it; `ServerSignals`.)
struct ServerCommand {
    /// Exit status and the log's last non-empty line.
    struct Outcome { var status: Int32; var lastLine: String }

    static func run(_ argv: [String], in folder: String, log: String) throws -> Outcome {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        // O_NOFOLLOW: the log's folder belongs to the server's user, who could plant a link there.
        posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        sim_cascade_spawn_addclosefrom(&actions, 3)
        sim_cascade_spawn_addchdir(&actions, folder)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t(), all = sigset_t()
        sigemptyset(&none)
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        // A clean environment: no PGDATA, PGPORT or PGHOST of the caller's reaches the server.
        let environment = ["PATH=/usr/bin:/bin", "LC_ALL=C", "LANG=C"]
        var pid: pid_t = 0
        let started = withCStrings(argv) { cArgv in withCStrings(environment) { posix_spawn(&pid, argv[0], &actions, &attributes, cArgv, $0) } }
        guard started == 0 else { throw EngineError.serverStart("cannot run \(argv[0]): \(String(cString: strerror(started)))") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        let last = text.split(whereSeparator: \.isNewline).last.map(String.init) ?? ""
        // Exited normally: its status; killed: 128 + the signal, as a shell reports it.
        let exit = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return Outcome(status: exit, lastLine: last)
    }
}
