import Cascade
import Foundation
import GRDB
import SimCore

/// What one iteration leaves behind, written in one transaction with the run's new state, so a
/// run stopped at any moment — `kill -9` included — resumes from the last whole iteration.
public struct IterationCommit: Sendable {
    public var call: GeneratorCallRecord?
    /// The child and its evaluation stages; `nil` when the iteration produced no new program.
    public var program: ProgramRecord?
    public var evaluations: [EvaluationRecord]
    public var rngState: String
    public var featureRanges: String

    public init(call: GeneratorCallRecord?, program: ProgramRecord?, evaluations: [EvaluationRecord], rngState: String,
                featureRanges: String) {
        self.call = call
        self.program = program
        self.evaluations = evaluations
        self.rngState = rngState
        self.featureRanges = featureRanges
    }
}

/// One run's programs, evaluations and generator calls in SQLite (`DIR/store.sqlite`, WAL mode).
///
/// Every row carries a hash over all its columns (`rowHash`), written in the transaction that
/// writes the row, so a byte changed outside sim-cascade — which SQLite's own checks accept when
/// it lands inside a text — is found by `verifyRows()`. Every error leaves as an `EvolveError`
/// naming the store's path.
public final class ProgramStore: Sendable {
    let pool: DatabasePool
    public let path: String
    /// The id of the one run a run folder's store holds.
    public static let runID = "run"
    /// Rows of a store written before row hashes existed that this open hashed (0 for others).
    public let upgradedRows: Int

    /// Opens (creating and migrating) the store at `path`; `readOnly` opens an existing one
    /// without writing anything (for `runs list/show`) — except once, for a store written before
    /// row hashes, which gets them first (`upgradedRows` says how many).
    /// - Throws: `EvolveError.store` when the file cannot be opened as a store.
    public init(path: String, readOnly: Bool = false) throws {
        self.path = path
        var upgraded = 0
        pool = try Self.guarded(path) {
            if readOnly {
                let reader = try Self.open(path, readOnly: true)
                guard try reader.read(Self.predatesRowHashes) else { return reader }
                try reader.close()
            }
            let writer = try Self.open(path, readOnly: false)  // a writable pool runs in WAL mode
            let old = try writer.read(Self.predatesRowHashes)
            try Self.migrator.migrate(writer)
            if old { upgraded = try writer.read(Self.rowCount) }  // every row was hashed by v4
            guard readOnly else { return writer }
            try writer.close()
            return try Self.open(path, readOnly: true)
        }
        upgradedRows = upgraded
    }

    private static func open(_ path: String, readOnly: Bool) throws -> DatabasePool {
        var configuration = Configuration()
        configuration.readonly = readOnly
        return try DatabasePool(path: path, configuration: configuration)
    }

    /// Runs `body`, turning SQLite's errors into `EvolveError.store` naming `path`.
    static func guarded<T>(_ path: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as DatabaseError {
            throw EvolveError.store(path: path, problem: describe(error))
        } catch let error as RowDecodingError {
            // A column of the wrong type: the file was changed or damaged (SQLite does not
            // enforce column types).
            throw EvolveError.store(path: path, problem: "a row does not decode, the store is damaged (\(Escaped.value("\(error)")))")
        }
    }

    func guarded<T>(_ body: () throws -> T) throws -> T { try Self.guarded(path, body) }

    /// SQLite's message, with what it means for a store where SQLite's own is terse.
    static func describe(_ error: DatabaseError) -> String {
        switch error.resultCode {
        case .SQLITE_CORRUPT, .SQLITE_NOTADB: return "not a store, or a damaged one (\(error.message ?? "corrupt"))"
        case .SQLITE_FULL: return "cannot write: the disk is full"
        case .SQLITE_READONLY: return "cannot write: the store or its folder is read-only"
        case .SQLITE_CANTOPEN: return "cannot open the store (missing folder, or no permission)"
        case .SQLITE_BUSY, .SQLITE_LOCKED: return "the store is locked by another process"
        default: return error.message ?? "\(error.resultCode)"
        }
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.create(table: "runs") { t in
                t.primaryKey("id", .text)
                t.column("problem", .text).notNull()
                t.column("seed", .integer).notNull()
                t.column("config", .text).notNull()
                t.column("iteration", .integer).notNull()
                t.column("rngState", .text).notNull()
                t.column("featureRanges", .text).notNull()
            }
            try db.create(table: "programs") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("runId", .text).notNull().references("runs")
                t.column("iteration", .integer).notNull()
                t.column("source", .text).notNull()
                t.column("fingerprint", .text).notNull().indexed()
                t.column("normalized", .text).notNull()
                t.column("parentId", .integer).references("programs")
                t.column("island", .integer).notNull()
                t.column("generation", .integer).notNull()
                t.column("featureCell", .text)
                t.column("generator", .text).notNull()
                t.column("edit", .text).notNull()
                t.column("valid", .boolean).notNull()
                t.column("score", .double)
                t.column("rejectedAt", .text)
            }
            try db.create(table: "evaluations") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("programId", .integer).notNull().references("programs").indexed()
                t.column("stage", .text).notNull()
                t.column("status", .text).notNull()
                t.column("metrics", .text).notNull()
                t.column("artifacts", .text).notNull()
                t.column("seconds", .double).notNull()
                t.column("failureKind", .text)
                t.column("failureMessage", .text)
            }
            try db.create(table: "generator_calls") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("runId", .text).notNull().references("runs")
                t.column("iteration", .integer).notNull()
                t.column("model", .text).notNull()
                t.column("prompt", .text).notNull()
                t.column("response", .text).notNull()
                t.column("promptTokens", .integer).notNull()
                t.column("completionTokens", .integer).notNull()
                t.column("costUSD", .double).notNull()
                t.column("error", .text)
            }
        }
        migrator.registerMigration("v2") { db in
            // The loop's state after each iteration: a proposal made with W workers reads the
            // state of iteration i − W, so a resume needs the last W of them.
            try db.create(table: "iteration_states") { t in
                t.column("runId", .text).notNull().references("runs")
                t.column("iteration", .integer).notNull()
                t.column("loopState", .text).notNull()
                t.column("featureRanges", .text).notNull()
                t.primaryKey(["runId", "iteration"])
            }
        }
        migrator.registerMigration("v3") { db in
            try db.alter(table: "programs") { t in t.add(column: "features", .text) }
        }
        migrator.registerMigration("v4") { db in
            // Row counts and hashes (see RowHashes.swift), for the rows already there too.
            try db.alter(table: "runs") { t in
                for (column, _) in rowCounts { t.add(column: column, .integer).notNull().defaults(to: 0) }
            }
            for run in try String.fetchAll(db, sql: "SELECT id FROM runs") {
                for (column, sql) in rowCounts {
                    let count = try Int.fetchOne(db, sql: sql, arguments: [run]) ?? 0
                    try db.execute(sql: "UPDATE runs SET \(column) = ? WHERE id = ?", arguments: [count, run])
                }
            }
            for table in hashedTables { try db.alter(table: table) { t in t.add(column: hashColumn, .text) } }
            try sealAll(db)
        }
        return migrator
    }

    public func createRun(_ run: RunRecord) throws {
        try guarded {
            try pool.write { db in
                try run.insert(db)
                try Self.seal(db, "runs", rowid: db.lastInsertedRowID)
            }
        }
    }

    /// The problem a stored run names.
    /// - Throws: `EvolveError.store` naming the store when it is no known problem (a damaged
    ///   store, or one of a later version).
    public func problem(named name: String) throws -> CandidateProblem {
        guard let problem = CandidateProblem(rawValue: name) else {
            throw EvolveError.store(path: path, problem: "its run is of an unknown problem '\(Escaped.value(name))'")
        }
        return problem
    }

    public func run(id: String) throws -> RunRecord? {
        try guarded { try pool.read { db in try RunRecord.fetchOne(db, key: id) } }
    }

    /// Writes `commit` and advances the run to `iteration` in one transaction (creating
    /// `newRun` first, in the same transaction, for a run's iteration 0).
    /// - Parameter beforeCommit: called inside the transaction after every insert (a test hook
    ///   for crashes mid-commit); throwing rolls everything back.
    /// - Returns: the program with its id.
    @discardableResult
    public func commit(_ commit: IterationCommit, run id: String, iteration: Int, creating newRun: RunRecord? = nil,
                       beforeCommit: () throws -> Void = {}) throws -> ProgramRecord? {
        try guarded { try pool.write { db in
            // A new run is written with its first iteration, so no store holds a run without one.
            if let newRun { try newRun.insert(db) }
            guard let runRowid = try Int64.fetchOne(db, sql: "SELECT rowid FROM runs WHERE id = ?", arguments: [id]),
                  var run = try RunRecord.fetchOne(db, key: id) else {
                throw EvolveError.noRun("no run \(id) in \(path)")
            }
            // The run row is rewritten below: it must be whole now, or its damage would be sealed.
            if newRun == nil { try checkRow(db, "runs", rowid: runRowid) }
            var inserted: [(table: String, rowid: Int64)] = []
            var call = commit.call
            try call?.insert(db)
            if let rowid = call?.id { inserted.append(("generator_calls", rowid)) }
            var program = commit.program
            try program?.insert(db)
            if let rowid = program?.id { inserted.append(("programs", rowid)) }
            for var evaluation in commit.evaluations {
                evaluation.programId = program?.id ?? 0
                try evaluation.insert(db)
                inserted.append(("evaluations", evaluation.id ?? db.lastInsertedRowID))
            }
            run.iteration = iteration
            run.rngState = commit.rngState
            run.featureRanges = commit.featureRanges
            try run.update(db)
            try db.execute(sql: "INSERT INTO iteration_states (runId, iteration, loopState, featureRanges) VALUES (?, ?, ?, ?)",
                           arguments: [id, iteration, commit.rngState, commit.featureRanges])
            inserted.append(("iteration_states", db.lastInsertedRowID))
            try db.execute(sql: """
                UPDATE runs SET programCount = programCount + ?, evaluationCount = evaluationCount + ?,
                                callCount = callCount + ?, stateCount = stateCount + 1 WHERE id = ?
                """, arguments: [program == nil ? 0 : 1, commit.evaluations.count, call == nil ? 0 : 1, id])
            for (table, rowid) in inserted + [("runs", runRowid)] { try Self.seal(db, table, rowid: rowid) }
            try beforeCommit()
            return program
        } }
    }

    /// The loop state and feature ranges committed with each iteration from `first` on, by iteration.
    public func iterationStates(run id: String, from first: Int) throws -> [Int: (loopState: String, featureRanges: String)] {
        try guarded { try pool.read { db in
            let rows = try Row.fetchAll(db, sql: "SELECT iteration, loopState, featureRanges FROM iteration_states WHERE runId = ? AND iteration >= ?",
                                        arguments: [id, first])
            return Dictionary(uniqueKeysWithValues: rows.map { ($0["iteration"], (loopState: $0["loopState"], featureRanges: $0["featureRanges"])) })
        } }
    }

    /// The program of this run whose normalised source equals `source`'s, if any (the
    /// fingerprint finds candidates, the normalised text decides).
    public func program(sameAs source: String, run id: String) throws -> ProgramRecord? {
        let fingerprint = ProgramFingerprint.hash(source), normalized = ProgramFingerprint.normalised(source)
        return try guarded { try pool.read { db in
            try ProgramRecord.filter(Column("runId") == id && Column("fingerprint") == fingerprint && Column("normalized") == normalized)
                .fetchOne(db)
        } }
    }

    public func programs(run id: String) throws -> [ProgramRecord] {
        try guarded { try pool.read { db in try ProgramRecord.filter(Column("runId") == id).order(Column("id")).fetchAll(db) } }
    }

    public func evaluations(program id: Int64) throws -> [EvaluationRecord] {
        try guarded { try pool.read { db in try EvaluationRecord.filter(Column("programId") == id).order(Column("id")).fetchAll(db) } }
    }

    /// Every evaluation record of run `id`'s programs, by program id.
    public func evaluations(run id: String) throws -> [Int64: [EvaluationRecord]] {
        let records = try guarded { try pool.read { db in
            try EvaluationRecord.filter(sql: "programId IN (SELECT id FROM programs WHERE runId = ?)", arguments: [id])
                .order(Column("id")).fetchAll(db)
        } }
        return Dictionary(grouping: records, by: \.programId)
    }

    public func calls(run id: String) throws -> [GeneratorCallRecord] {
        try guarded { try pool.read { db in try GeneratorCallRecord.filter(Column("runId") == id).order(Column("id")).fetchAll(db) } }
    }

    /// SQLite's journal mode, `wal` for a store.
    public func journalMode() throws -> String {
        try guarded { try pool.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? "" } }
    }
}
