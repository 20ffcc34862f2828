import CLibPQ
import Foundation

/// One libpq connection. Not thread-safe: each executor worker owns one (`@unchecked Sendable`
/// so it can be handed to the thread that uses it).
public final class PostgresConnection: @unchecked Sendable {
    private let connection: OpaquePointer

    /// What a failed statement said.
    public struct Failure: Error, Sendable {
        /// The five-character SQLSTATE (`40P01`: deadlock detected), empty when the server sent none.
        public var sqlState: String
        public var message: String
        /// The connection is gone (the server died or closed it): no retry on it can succeed.
        public var connectionLost: Bool

        /// A deadlock or serialization failure: the transaction is aborted and may be retried.
        public var isRetryable: Bool { sqlState == "40P01" || sqlState == "40001" }

        /// As the engine's error: a lost connection, or a statement the server cancelled after
        /// its timeout (57014), is the server's fault.
        public var engineError: EngineError {
            connectionLost || sqlState == "57014" ? .serverLost(message) : .query(sqlState: sqlState, message: message)
        }
    }

    /// - Throws: `EngineError.serverLost` when the server cannot be reached.
    public init(_ connectionString: String) throws {
        guard let connection = PQconnectdb(connectionString) else { throw EngineError.serverLost("libpq could not allocate a connection") }
        guard PQstatus(connection) == CONNECTION_OK else {
            let message = Self.text(PQerrorMessage(connection))
            PQfinish(connection)
            throw EngineError.serverLost("cannot connect: \(message)")
        }
        // The server's notices (and the FATAL a dying server sends) are read from results and
        // errors, never printed to this process's stderr.
        PQsetNoticeProcessor(connection, { _, _ in }, nil)
        self.connection = connection
    }

    deinit { PQfinish(connection) }

    /// Runs one statement (or several, `;`-separated: the last one's rows) and returns its rows
    /// as text (`nil` for SQL NULL).
    /// - Throws: `Failure`.
    @discardableResult
    public func execute(_ sql: String) throws(Failure) -> [[String?]] {
        try rows(PQexec(connection, sql))
    }

    /// Prepares `sql` under `name` for `executePrepared`.
    public func prepare(_ name: String, _ sql: String) throws(Failure) {
        try rows(PQprepare(connection, name, sql, 0, nil))
    }

    /// Runs the statement prepared as `name` with text parameters.
    /// - Throws: `Failure`.
    @discardableResult
    public func executePrepared(_ name: String, _ parameters: [String]) throws(Failure) -> [[String?]] {
        let cStrings = parameters.map { strdup($0) }
        defer { cStrings.forEach { free($0) } }
        let pointers = cStrings.map { UnsafePointer<CChar>($0) }
        let result = pointers.withUnsafeBufferPointer { buffer in
            PQexecPrepared(connection, name, Int32(parameters.count), buffer.baseAddress, nil, nil, 0)
        }
        return try rows(result)
    }

    /// Sends several statements in one round trip and returns every statement's rows, in order.
    /// - Throws: the first statement's `Failure` (the rest of the results are drained).
    public func executeAll(_ sql: String) throws(Failure) -> [[[String?]]] {
        guard PQsendQuery(connection, sql) == 1 else { throw failure(nil) }
        var all: [[[String?]]] = []
        var first: Failure?
        while let result = PQgetResult(connection) {
            do { all.append(try rows(result)) } catch { first = first ?? error }
        }
        if let first { throw first }
        return all
    }

    /// Reads a result's rows and frees it.
    @discardableResult
    private func rows(_ result: OpaquePointer?) throws(Failure) -> [[String?]] {
        guard let result else { throw failure(nil) }
        defer { PQclear(result) }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_EMPTY_QUERY:
            return []
        case PGRES_TUPLES_OK:
            let n = PQntuples(result), m = PQnfields(result)
            return (0..<n).map { row in
                (0..<m).map { column in PQgetisnull(result, row, column) == 1 ? nil : Self.text(PQgetvalue(result, row, column)) }
            }
        default:
            throw failure(result)
        }
    }

    private func failure(_ result: OpaquePointer?) -> Failure {
        let state = result.flatMap { PQresultErrorField($0, Int32(UInt8(ascii: "C"))) }.map { String(cString: $0) } ?? ""
        let message = result.map { Self.text(PQresultErrorMessage($0)) } ?? Self.text(PQerrorMessage(connection))
        return Failure(sqlState: state, message: message.isEmpty ? Self.text(PQerrorMessage(connection)) : message,
                       connectionLost: PQstatus(connection) != CONNECTION_OK)
    }

    private static func text(_ pointer: UnsafePointer<CChar>?) -> String {
        (pointer.map { String(cString: $0) } ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
