import Foundation
import SimCore
#if canImport(Glibc)
import Glibc
#endif

/// A private PostgreSQL server, started by this process and stopped when it is done.
///
/// Its folder, `/tmp/sim-cascade-pg-XXXXXX` (`root`), belongs to the server's user
/// (`ServerAccount`): the data folder `data/`, the server's log `server.log`, and the unix socket
/// the server listens on — it opens no TCP port (`listen_addresses = ''`), so no other process's
/// port can be in its way and nothing off this machine can reach it. `owner.lock` is held
/// (`flock`) by the process that started the server for as long as it lives: a later start that
/// can take that lock knows the owner is gone, stops the server it left and removes the folder
/// (`StaleServers`). `/tmp` and not `$TMPDIR`: the server's user must be able to reach the
/// folder, and root's temporary folders may be under a home it cannot traverse.
///
/// Settings are for repeatable measurement, not durability: no fsync, asynchronous commit, no
/// autovacuum (tables are reset between runs), a 10 ms `deadlock_timeout` so deadlocks are found
/// at the scale of an operation's work time rather than the default second.
///
/// Thread-safe: `restart` and `stop` take the server's lock.
public final class PostgresServer: @unchecked Sendable {
    public let installation: PostgresInstallation
    /// The server's folder (socket, data, log).
    public let folder: String
    public let settings: Settings
    let account: ServerAccount
    private let ownerLock: FileLock
    private let lock = NSLock()
    private var stopped = false

    /// What the server is started with.
    public struct Settings: Sendable, Equatable {
        /// `max_connections`: the executor's connections plus room for loaders and tests.
        public var maxConnections = 40
        public var deadlockTimeoutMilliseconds = 10

        public init() {}
    }

    public static let folderPrefix = "sim-cascade-pg-"
    /// The port number in the socket's name (`.s.PGSQL.PORT`); no TCP port is opened.
    public static let port = 5432
    /// The role the server is created with and clients connect as.
    public static let role = "simcascade"

    /// Creates the folder, initialises a cluster in it and starts the server, after stopping
    /// servers other processes left behind under `parent`.
    /// - Throws: `EngineError` (`.postgresMissing`, `.noServerUser`, `.serverStart`).
    /// - Complexity: one `initdb` (~1–2 s) and one server start.
    public static func start(settings: Settings = Settings(), parent: String = "/tmp",
                             environment: [String: String] = ProcessInfo.processInfo.environment) throws -> PostgresServer {
        let installation = try PostgresInstallation.locate(environment: environment)
        let account = try ServerAccount.forThisProcess(environment: environment)
        StaleServers.clean(parent: parent)
        // Made under a name the stale cleanup does not take, locked, then renamed: a folder
        // under the scanned name always has its owner's lock held (or its owner is gone).
        var template = Array("\(parent)/\(StaleServers.stagingPrefix)XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else {
            throw EngineError.serverStart("mkdtemp in \(parent): \(String(cString: strerror(errno)))")
        }
        let staging = String(cString: made)
        let folder = parent + "/" + folderPrefix + staging.suffix(6)
        let ownerLock: FileLock
        do {
            ownerLock = try FileLock(staging + "/" + StaleServers.ownerLockName, create: true, wait: false)
        } catch {
            try? FileManager.default.removeItem(atPath: staging)
            throw EngineError.serverStart("cannot lock \(staging)/\(StaleServers.ownerLockName): \(error)")
        }
        guard rename(staging, folder) == 0 else {
            let reason = String(cString: strerror(errno))
            ownerLock.release()
            try? FileManager.default.removeItem(atPath: staging)
            throw EngineError.serverStart("cannot rename \(staging) to \(folder): \(reason)")
        }
        let server = PostgresServer(installation: installation, folder: folder, settings: settings, account: account,
                                    ownerLock: ownerLock)
        do {
            try account.own(folder)
            try server.initialise()
            try server.startServer()
        } catch {
            server.stop()
            throw error
        }
        return server
    }

    private init(installation: PostgresInstallation, folder: String, settings: Settings, account: ServerAccount, ownerLock: FileLock) {
        self.installation = installation
        self.folder = folder
        self.settings = settings
        self.account = account
        self.ownerLock = ownerLock
    }

    deinit { stop() }

    public var dataDirectory: String { folder + "/data" }
    var logFile: String { folder + "/server.log" }
    /// The output of the last `initdb` or `pg_ctl`.
    var commandLog: String { folder + "/command.log" }

    /// What libpq connects with: the socket folder, the role, the `postgres` database.
    public var connectionString: String {
        "host=\(folder) port=\(Self.port) user=\(Self.role) dbname=postgres connect_timeout=10"
    }

    /// The postmaster's pid, from its pid file (`nil` when there is none).
    public var postmasterPID: pid_t? { StaleServers.postmasterPID(dataDirectory: dataDirectory) }

    private func initialise() throws {
        let outcome = try ServerCommand.run(account.command(installation.program("initdb"), [
            "-D", dataDirectory, "-U", Self.role, "--auth=trust", "--encoding=UTF8", "--locale=C", "--no-sync",
        ]), in: folder, log: commandLog)
        guard outcome.status == 0 else { throw EngineError.serverStart("initdb failed: \(outcome.lastLine)") }
    }

    /// The server's settings, as `postgres -c` options: given on the command line rather than
    /// appended to `postgresql.conf`, so this process (root, possibly) writes nothing into a
    /// folder the server's user controls, where a link could send the write elsewhere.
    var serverOptions: String {
        [("listen_addresses", ""), ("unix_socket_directories", folder), ("port", "\(Self.port)"),
         ("max_connections", "\(settings.maxConnections)"), ("fsync", "off"), ("synchronous_commit", "off"),
         ("full_page_writes", "off"), ("autovacuum", "off"), ("deadlock_timeout", "\(settings.deadlockTimeoutMilliseconds)ms"),
         ("shared_buffers", "64MB"), ("max_wal_size", "1GB"), ("lc_messages", "C")]
            .map { "-c \($0)=\($1)" }.joined(separator: " ")
    }

    private func startServer() throws {
        let outcome = try ServerCommand.run(account.command(installation.program("pg_ctl"), [
            "start", "-D", dataDirectory, "-l", logFile, "-w", "-t", "60", "-s", "-o", serverOptions,
        ]), in: folder, log: commandLog)
        guard outcome.status == 0 else {
            throw EngineError.serverStart("pg_ctl start failed: \(outcome.lastLine.isEmpty ? lastLogLine() : outcome.lastLine)")
        }
        ServerSignals.track(replacing: trackedPID, with: postmasterPID)
        trackedPID = postmasterPID
    }

    /// The postmaster pid `ServerSignals` stops on SIGINT/SIGTERM/SIGHUP.
    private var trackedPID: pid_t?

    /// The server log's last line: why a start failed.
    func lastLogLine() -> String {
        let text = (try? String(contentsOfFile: logFile, encoding: .utf8)) ?? ""
        return text.split(whereSeparator: \.isNewline).last.map(String.init) ?? "(no log)"
    }

    /// Stops whatever is left of the server (immediately) and starts it again on the same data.
    /// - Throws: `EngineError.serverStart`.
    public func restart() throws {
        lock.lock()
        defer { lock.unlock() }
        guard !stopped else { throw EngineError.serverStart("the server was stopped") }
        StaleServers.stopServer(dataDirectory: dataDirectory)
        // A postmaster killed outright leaves backends that exit on their own within moments,
        // holding the shared memory a new postmaster refuses to share: a few tries.
        var lastError: Error = EngineError.serverStart("not tried")
        for attempt in 0..<5 {
            if attempt > 0 { usleep(200_000 << UInt32(attempt - 1)) }
            do { return try startServer() } catch { lastError = error }
        }
        throw lastError
    }

    /// Lets go of the server as a crashed owner would: the owner lock is released, the server
    /// and its folder are left for the next start's stale cleanup (tests).
    func abandon() {
        lock.lock()
        defer { lock.unlock() }
        guard !stopped else { return }
        stopped = true
        ownerLock.release()
    }

    /// Kills the server and its backends outright (SIGKILL to its process group: the postmaster
    /// leads its own session): for a run that stopped making progress. `restart` brings it back.
    public func kill() {
        guard let pid = postmasterPID, StaleServers.isPostmaster(pid, of: dataDirectory) else { return }
        killpg(pid, SIGKILL)
    }

    /// Stops the server and removes its folder. Idempotent.
    public func stop() {
        lock.lock()
        defer { lock.unlock() }
        guard !stopped else { return }
        stopped = true
        StaleServers.stopServer(dataDirectory: dataDirectory)
        ServerSignals.track(replacing: trackedPID, with: nil)
        trackedPID = nil
        try? FileManager.default.removeItem(atPath: folder)
        ownerLock.release()
    }
}
