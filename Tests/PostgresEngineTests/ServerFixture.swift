import CandidateAPI
import Foundation
@testable import PostgresEngine

/// A server of the test's own (never the process-wide one), under a private parent folder so
/// stale cleanup in one test cannot see another's servers. Stopped and removed by `close()`.
final class ServerFixture: Sendable {
    let parent: String
    let server: PostgresServer
    let engine: TxnSystemEngine

    init() throws {
        parent = "/tmp/sim-cascade-engine-tests-\(getpid())-\(UInt32.random(in: 0 ... .max))"
        try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        // The server's user must be able to traverse the parent (root runs it as `postgres`).
        chmod(parent, 0o755)
        do {
            server = try PostgresServer.start(parent: parent)
        } catch {
            try? FileManager.default.removeItem(atPath: parent)
            throw error
        }
        engine = TxnSystemEngine(server: server)
    }

    func close() {
        server.stop()
        try? FileManager.default.removeItem(atPath: parent)
    }

    func connect() throws -> PostgresConnection { try PostgresConnection(server.connectionString) }

    /// `"w0 r1 *"`-style transactions (as the public workloads spell them) as a workload.
    static func workload(_ transactions: [String], keys: Int) -> TxnWorkload {
        TxnWorkload(transactions: transactions.map { t in
            t.split(separator: " ").map { op in
                switch op.first {
                case "r": return TxnOp(kind: .read, key: Int32(op.dropFirst())!)
                case "w": return TxnOp(kind: .write, key: Int32(op.dropFirst())!)
                default: return TxnOp(kind: .compute, key: -1)
                }
            }
        }, keyCount: keys)
    }
}
