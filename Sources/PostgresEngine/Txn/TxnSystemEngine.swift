import CandidateAPI
import Foundation
import SimCore
#if canImport(Glibc)
import Glibc
#endif

/// Executes transaction schedules on a PostgreSQL server.
///
/// A workload's keys are the rows `0..<keyCount` of table `kv_KEYCOUNT` (`k integer primary
/// key, v bigint`), created once per server and reset (emptied, refilled, analysed) before every
/// run. Each transaction is a PostgreSQL transaction on one of `settings.connections` client
/// connections: a read locks its row (`SELECT … FOR SHARE`), a write updates it
/// (`UPDATE … SET v = v + 1`, an exclusive row lock); after each operation the connection holds
/// its locks for `settings.workMicroseconds`, as does a compute operation; locks are released at
/// `COMMIT`. Connections take transactions in schedule order, the next one to the next free
/// connection. A transaction PostgreSQL aborts (a deadlock, a serialization failure) is rolled
/// back, counted, and retried on the same connection after a back-off of `attempt` work times
/// (at least 1 ms each, at most 50).
///
/// One schedule executes at a time per engine (its lock): runs never share the server. A fault
/// of the server (it died, a connection was lost) restarts it and runs the measurement once
/// more; a second fault is thrown.
public final class TxnSystemEngine: @unchecked Sendable {
    public let server: PostgresServer
    private let lock = NSLock()
    /// Tables created on this server, by key count.
    private var tables: Set<Int> = []

    public init(server: PostgresServer) { self.server = server }

    /// Runs `order` of `workload` `settings.runs` times.
    /// - Precondition: `order` is a permutation of the workload's transactions.
    /// - Throws: `EngineError` (`.serverLost` or `.serverStart` when a restart did not help).
    /// - Complexity: `runs` × (makespan + a table reset), plus connecting.
    public func measure(_ workload: TxnWorkload, order: [Int], settings: TxnSystemSettings = TxnSystemSettings()) throws
        -> TxnSystemMeasurement {
        precondition(settings.problem == nil && order.count == workload.transactions.count
                     && Set(order).count == order.count && order.allSatisfy { order.indices.contains($0) },
                     "not a permutation of the workload's transactions (callers validate a candidate's order first)")
        lock.lock()
        defer { lock.unlock() }
        do {
            return try measureOnce(workload, order: order, settings: settings)
        } catch let error as EngineError where error.isServerFault {
            try server.restart()
            return try measureOnce(workload, order: order, settings: settings)
        }
    }

    private func measureOnce(_ workload: TxnWorkload, order: [Int], settings: TxnSystemSettings) throws -> TxnSystemMeasurement {
        let table = "kv_\(workload.keyCount)"
        let connections = try (0..<settings.connections).map { _ in try PostgresConnection(server.connectionString) }
        let admin = connections[0]
        // No run may hang: a statement past `budget` is cancelled by the server (57014, taken
        // as the server's fault), and a run past twice that has its server killed (a stopped
        // server cancels nothing). Both far above any schedule's makespan: 20 × its operations
        // run one after another.
        let operations = workload.transactions.reduce(0) { $0 + $1.count }
        let budget = max(60, 20 * Double(operations) * Double(max(settings.workMicroseconds, 100)) / 1e6)
        try engine { () throws(PostgresConnection.Failure) in
            for c in connections { try c.execute("SET statement_timeout = \(Int(budget * 1000))") }
            if !tables.contains(workload.keyCount) {
                try admin.execute("CREATE TABLE IF NOT EXISTS \(table) (k integer PRIMARY KEY, v bigint NOT NULL)")
                tables.insert(workload.keyCount)
            }
            let now = "(extract(epoch from clock_timestamp()) * 1000000)::bigint"
            for c in connections {
                try c.prepare("r", "SELECT \(now) FROM \(table) WHERE k = $1 FOR SHARE")
                try c.prepare("w", "UPDATE \(table) SET v = v + 1 WHERE k = $1 RETURNING \(now)")
                try c.prepare("c", "SELECT \(now)")
            }
        }
        var runs: [TxnSystemRun] = []
        for _ in 0..<settings.runs {
            try engine { () throws(PostgresConnection.Failure) in
                try admin.execute("TRUNCATE \(table)")
                try admin.execute("INSERT INTO \(table) SELECT g, 0 FROM generate_series(0, \(workload.keyCount - 1)) g")
                try admin.execute("ANALYZE \(table)")
            }
            let run = ScheduleRun(workload: workload, order: order, settings: settings, connections: connections)
            runs.append(try run.execute(deadline: 2 * budget) { [server] in server.kill() })
        }
        return TxnSystemMeasurement(runs: runs, transactions: order.count)
    }

    private func engine(_ body: () throws(PostgresConnection.Failure) -> Void) throws {
        do { try body() } catch { throw error.engineError }
    }
}

/// One run of a schedule: worker threads, one per connection, taking transactions in order.
private final class ScheduleRun: @unchecked Sendable {
    let workload: TxnWorkload
    let order: [Int]
    let settings: TxnSystemSettings
    let connections: [PostgresConnection]
    private let lock = NSLock()
    private var next = 0
    private var failure: EngineError?
    private var records: [TxnServerRecord?]
    private var latencies: [Double]
    private var deadlocks = 0, serializationFailures = 0
    private var lastCommit = 0.0

    init(workload: TxnWorkload, order: [Int], settings: TxnSystemSettings, connections: [PostgresConnection]) {
        self.workload = workload
        self.order = order
        self.settings = settings
        self.connections = connections
        records = Array(repeating: nil, count: order.count)
        latencies = Array(repeating: 0, count: order.count)
    }

    /// - Parameter stalled: called when the workers have not finished `deadline` seconds after
    ///   the start (it must make them fail: kill the server); then they are waited for.
    func execute(deadline: Double, stalled: () -> Void) throws -> TxnSystemRun {
        let start = monotonicSeconds()
        let group = DispatchGroup()
        for (index, connection) in connections.enumerated() {
            group.enter()
            let thread = Thread { [self] in
                work(connection: connection, index: index)
                group.leave()
            }
            thread.start()
        }
        if group.wait(timeout: .now() + deadline) == .timedOut {
            stalled()
            group.wait()
            throw EngineError.serverLost("a run did not finish within \(Int(deadline)) s; the server was killed")
        }
        if let failure { throw failure }
        return TxnSystemRun(makespanSeconds: max(0, lastCommit - start), deadlocks: deadlocks,
                            serializationFailures: serializationFailures, latencies: latencies, records: records.map { $0! })
    }

    /// The next position in the order, or `nil` when none is left or a worker failed.
    private func take() -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard failure == nil, next < order.count else { return nil }
        next += 1
        return next - 1
    }

    private func work(connection: PostgresConnection, index: Int) {
        while let position = take() {
            let txn = order[position]
            let dispatched = monotonicSeconds()
            do {
                let record = try run(txn, on: connection, index: index)
                let committed = monotonicSeconds()
                lock.lock()
                records[txn] = record
                latencies[position] = committed - dispatched
                lastCommit = max(lastCommit, committed)
                lock.unlock()
            } catch {
                lock.lock()
                failure = failure ?? (error as? EngineError) ?? .serverLost("\(error)")
                lock.unlock()
                return
            }
        }
    }

    /// Runs transaction `txn` to its commit, retrying it when PostgreSQL aborts it.
    private func run(_ txn: Int, on connection: PostgresConnection, index: Int) throws -> TxnServerRecord {
        let operations = workload.transactions[txn]
        for attempt in 1...settings.maxAttempts {
            var times: [Int64] = []
            do {
                try connection.execute("BEGIN")
                for op in operations {
                    switch op.kind {
                    case .read: times.append(Self.time(try connection.executePrepared("r", [String(op.key)])))
                    case .write: times.append(Self.time(try connection.executePrepared("w", [String(op.key)])))
                    case .compute: break
                    }
                    if settings.workMicroseconds > 0 { usleep(UInt32(settings.workMicroseconds)) }
                }
                let commitStart = Self.time(try connection.executePrepared("c", []))
                try connection.execute("COMMIT")
                return TxnServerRecord(transaction: txn, connection: index, operationTimes: times, commitStart: commitStart,
                                       attempts: attempt)
            } catch {
                let failure = error
                guard failure.isRetryable, !failure.connectionLost else { throw failure.engineError }
                _ = try? connection.execute("ROLLBACK")
                lock.lock()
                if failure.sqlState == "40P01" { deadlocks += 1 } else { serializationFailures += 1 }
                lock.unlock()
                // Back off before the retry: retried at once, a victim that read a key it then
                // writes takes its shared lock again ahead of the survivor's waiting update and
                // meets the same cycle over and over.
                usleep(UInt32(max(settings.workMicroseconds, 1000) * min(attempt, 50)))
            }
        }
        throw EngineError.tooManyRetries(transaction: txn, attempts: settings.maxAttempts)
    }

    /// The one bigint a timing statement returns (0 when the row is missing: it never is).
    private static func time(_ rows: [[String?]]) -> Int64 { rows.first?.first.flatMap { $0.flatMap { Int64($0) } } ?? 0 }
}
