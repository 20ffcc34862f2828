import CandidateAPI
import Foundation
import Testing
@testable import PostgresEngine

/// Against a real server each test starts on a unix socket of its own (no TCP port). What runs
/// concurrently is shown by the server's own `clock_timestamp()` records, never by wall-clock
/// thresholds.
@Suite(.serialized) struct TxnSystemEngineTests {
    @Test func theServerListensOnItsSocketOnlyAndStopsWithoutATrace() throws {
        let fixture = try ServerFixture()
        defer { fixture.close() }
        let connection = try fixture.connect()
        #expect(try connection.execute("SHOW listen_addresses") == [[""]])
        #expect(try connection.execute("SHOW fsync") == [["off"]])
        let pid = try #require(fixture.server.postmasterPID)
        #expect(StaleServers.isAlive(pid))
        fixture.server.stop()
        #expect(!StaleServers.isAlive(pid))
        #expect(!FileManager.default.fileExists(atPath: fixture.server.folder))
    }

    @Test func conflictingTransactionsSerializeAndDisjointOnesOverlap() throws {
        let fixture = try ServerFixture()
        defer { fixture.close() }
        let settings = TxnSystemSettings(connections: 2, workMicroseconds: 300_000, runs: 1)
        // Both write key 0: whichever commits second took its lock after the first's commit began.
        let conflicting = try fixture.engine.measure(ServerFixture.workload(["w0", "w0"], keys: 2), order: [0, 1], settings: settings)
        let c = conflicting.runs[0].records.sorted { $0.commitStart < $1.commitStart }
        #expect(c[1].operationTimes[0] >= c[0].commitStart)
        // Disjoint keys: each took its lock before the other began to commit.
        let disjoint = try fixture.engine.measure(ServerFixture.workload(["w0", "w1"], keys: 2), order: [0, 1], settings: settings)
        let d = disjoint.runs[0].records
        #expect(d[1].operationTimes[0] < d[0].commitStart && d[0].operationTimes[0] < d[1].commitStart)
        #expect(Set(d.map(\.connection)) == [0, 1])
    }

    @Test func aForcedDeadlockAbortsOneTransactionWhichIsRetriedAndCommitsOnce() throws {
        let fixture = try ServerFixture()
        defer { fixture.close() }
        // Each reads one key, then writes the other's: a lock cycle once both hold their reads.
        let workload = ServerFixture.workload(["r0 w1", "r1 w0"], keys: 2)
        let m = try fixture.engine.measure(workload, order: [0, 1], settings: TxnSystemSettings(connections: 2, workMicroseconds: 200_000, runs: 1))
        let run = m.runs[0]
        #expect(run.deadlocks >= 1)
        #expect(run.records.map(\.attempts).reduce(0, +) == 2 + run.aborts)
        // Every write committed exactly once, retries notwithstanding.
        #expect(try fixture.connect().execute("SELECT k, v FROM kv_2 ORDER BY k") == [["0", "1"], ["1", "1"]])
    }

    @Test func eachRunStartsFromFreshRowsAndCountsEveryWrite() throws {
        let fixture = try ServerFixture()
        defer { fixture.close() }
        let workload = ServerFixture.workload(["w0 r1 w2 *", "r0 w1", "w2 w2 r3", "*", "r3 w0"], keys: 5)
        let m = try fixture.engine.measure(workload, order: [4, 3, 2, 1, 0], settings: TxnSystemSettings(connections: 3, workMicroseconds: 1000, runs: 3))
        #expect(m.runs.count == 3 && m.transactions == 5)
        #expect(m.runs.allSatisfy { $0.records.map(\.transaction) == [0, 1, 2, 3, 4] && $0.latencies.allSatisfy { $0 > 0 } })
        let rows = try fixture.connect().execute("SELECT count(*), sum(v) FROM kv_5")
        #expect(rows == [["5", "6"]])  // the last run's six writes, on five fresh rows
        #expect(m.makespanSpread >= 0 && m.throughput > 0)
    }

    @Test func aServerKilledMidRunIsRestartedAndTheScheduleRerunOnceButNotTwice() throws {
        let fixture = try ServerFixture()
        defer { fixture.close() }
        let workload = ServerFixture.workload((0..<60).map { "w\($0 % 7) r\(($0 + 3) % 7) *" }, keys: 7)
        let settings = TxnSystemSettings(connections: 4, workMicroseconds: 20_000, runs: 1)

        func measureWhileKilling(times: Int) -> (Result<TxnSystemMeasurement, Error>, [pid_t]) {
            let result = LockedBox<Result<TxnSystemMeasurement, Error>?>(nil)
            let done = DispatchSemaphore(value: 0)
            Thread {
                result.set(Result { try fixture.engine.measure(workload, order: Array(0..<60), settings: settings) })
                done.signal()
            }.start()
            var killed: [pid_t] = []
            for _ in 0..<times {
                // Mid-run: once some transaction of this run has committed.
                guard let pid = waitForProgress(fixture, notPID: killed.last) else { break }
                kill(pid, SIGKILL)
                killed.append(pid)
            }
            done.wait()
            return (result.get()!, killed)
        }

        let (once, killedOnce) = measureWhileKilling(times: 1)
        #expect(killedOnce.count == 1)
        let measurement = try once.get()
        #expect(measurement.runs[0].records.count == 60)
        #expect(fixture.server.postmasterPID != killedOnce[0])

        let (twice, killedTwice) = measureWhileKilling(times: 2)
        #expect(killedTwice.count == 2)
        #expect(throws: EngineError.self) { try twice.get() }
        if case .failure(let error as EngineError) = twice { #expect(error.isServerFault) }
        fixture.server.stop()
        #expect(killedTwice.allSatisfy { !StaleServers.isAlive($0) })
    }

    @Test func theNextStartStopsAServerWhoseOwnerIsGone() throws {
        let fixture = try ServerFixture()
        defer { fixture.close() }
        let pid = try #require(fixture.server.postmasterPID)
        fixture.server.abandon()  // as a crashed owner leaves it: running, folder in place, lock free
        #expect(StaleServers.isAlive(pid))
        let next = try PostgresServer.start(parent: fixture.parent)
        defer { next.stop() }
        #expect(!StaleServers.isAlive(pid))
        #expect(!FileManager.default.fileExists(atPath: fixture.server.folder))
        #expect(FileManager.default.fileExists(atPath: next.folder))
    }
}

/// Waits (up to 60 s) until the server's postmaster is not `notPID` and a transaction of the
/// current run has committed; returns the postmaster's pid.
private func waitForProgress(_ fixture: ServerFixture, notPID: pid_t?) -> pid_t? {
    for _ in 0..<6000 {
        if let pid = fixture.server.postmasterPID, pid != notPID, StaleServers.isAlive(pid),
           let connection = try? fixture.connect(),
           let rows = try? connection.execute("SELECT count(*) FROM kv_7 WHERE v > 0"), rows.first?.first.flatMap({ $0.flatMap { Int($0) } }) ?? 0 > 0 {
            return pid
        }
        usleep(10_000)
    }
    return nil
}

final class LockedBox<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value
    init(_ value: Value) { self.value = value }
    func set(_ newValue: Value) { lock.lock(); value = newValue; lock.unlock() }
    func get() -> Value { lock.lock(); defer { lock.unlock() }; return value }
}
