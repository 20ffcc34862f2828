import Cascade
import Foundation
import GRDB
import SimCore

/// Row hashes and row counts: each row of a store carries FNV-1a (64 bits) over every other
/// column — name, type and value — written in the transaction that writes the row, and each run
/// row counts its rows in the other tables. Every reader that trusts the store (`runs
/// show/dump/verify`, `evolve --resume`) checks both first, so a changed byte, a changed row and a
/// removed row are found.
///
/// The hash finds damage and edits made outside sim-cascade; it is not a signature (whoever can
/// write the file can recompute it), which is outside what a store defends against. It covers
/// columns, never the implicit rowid, which `VACUUM` may renumber: the tables whose rows have an
/// identity (`programs`, `evaluations`, `generator_calls`) have it as a column, `id`.
extension ProgramStore {
    /// Tables whose rows are hashed: all of a store's.
    static let hashedTables = ["runs", "programs", "evaluations", "generator_calls", "iteration_states"]
    static let hashColumn = "rowHash"
    /// The counts each run row keeps, with the query that counts what the store holds (`?`: the run).
    static let rowCounts: [(column: String, sql: String)] = [
        ("programCount", "SELECT COUNT(*) FROM programs WHERE runId = ?"),
        ("evaluationCount", "SELECT COUNT(*) FROM evaluations e JOIN programs p ON p.id = e.programId WHERE p.runId = ?"),
        ("callCount", "SELECT COUNT(*) FROM generator_calls WHERE runId = ?"),
        ("stateCount", "SELECT COUNT(*) FROM iteration_states WHERE runId = ?"),
    ]

    /// Whether the store predates row hashes: it has tables, but migration v4 has not run. (A row
    /// of a later store without a hash is a bad row, never upgraded.)
    static func predatesRowHashes(_ db: Database) throws -> Bool {
        guard try db.tableExists("programs") else { return false }  // a new file: the writer creates it
        guard try db.tableExists("grdb_migrations") else { return true }
        return try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM grdb_migrations WHERE identifier = 'v4'") == 0
    }

    /// Writes the hash of row `rowid` of `table`.
    static func seal(_ db: Database, _ table: String, rowid: Int64) throws {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM \(table) WHERE rowid = ?", arguments: [rowid]) else { return }
        try db.execute(sql: "UPDATE \(table) SET rowHash = ? WHERE rowid = ?", arguments: [hash(row), rowid])
    }

    /// Hashes every row of every table (migration v4, on a store written before it).
    static func sealAll(_ db: Database) throws {
        for table in hashedTables {
            for rowid in try Int64.fetchAll(db, sql: "SELECT rowid FROM \(table)") { try seal(db, table, rowid: rowid) }
        }
    }

    /// FNV-1a over every column but the hash (and `skipping`), in the table's column order.
    static func hash(_ row: Row, skipping extra: String? = nil) -> String {
        var hash = FNV1a()
        for (column, value) in row where column != hashColumn && column != extra {
            hash.combine(Array(column.utf8))
            switch value.storage {
            case .null: hash.combine([0])
            case .int64(let v): hash.combine([1] + withUnsafeBytes(of: v.littleEndian) { Array($0) })
            case .double(let v): hash.combine([2] + withUnsafeBytes(of: v.bitPattern.littleEndian) { Array($0) })
            case .string(let v): hash.combine([3] + Array(v.utf8))
            case .blob(let v): hash.combine([4] + Array(v))
            }
        }
        return hash.hex
    }

    /// Throws `EvolveError.storeCorrupt` unless row `rowid` of `table` matches its hash.
    func checkRow(_ db: Database, _ table: String, rowid: Int64) throws {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM \(table) WHERE rowid = ?", arguments: [rowid]),
              case .string(let stored) = (row[Self.hashColumn] as DatabaseValue).storage, stored == Self.hash(row) else {
            throw EvolveError.storeCorrupt(path: path, row: "\(table) row \(rowid)")
        }
    }

    /// Every row whose hash is missing or differs from its columns', every run whose counts
    /// differ from the rows found, and every row that belongs to no run, as `table row N …`.
    /// - Throws: `EvolveError.store` when a table lacks a column a store has.
    /// - Complexity: O(rows × row size).
    public func badRows() throws -> [String] {
        try guarded {
            try pool.read { db in
                for table in Self.hashedTables where try !db.columns(in: table).contains(where: { $0.name == Self.hashColumn }) {
                    throw EvolveError.store(path: path, problem: "table \(table) has no \(Self.hashColumn) column: the store is damaged")
                }
                var bad: [String] = []
                for table in Self.hashedTables {
                    for row in try Row.fetchAll(db, sql: "SELECT rowid AS checkedRowid, * FROM \(table) ORDER BY rowid") {
                        let rowid: Int64 = row["checkedRowid"]
                        // Read as a raw value: a damaged store may hold anything in any column.
                        guard case .string(let stored) = (row[Self.hashColumn] as DatabaseValue).storage,
                              stored == Self.hash(row, skipping: "checkedRowid") else {
                            bad.append("\(table) row \(rowid)")
                            continue
                        }
                    }
                }
                for run in try Row.fetchAll(db, sql: "SELECT rowid AS checkedRowid, * FROM runs ORDER BY rowid") {
                    let id = run["id"] as DatabaseValue
                    for (column, sql) in Self.rowCounts {
                        let kept = run[column] as DatabaseValue, found = try Int64.fetchOne(db, sql: sql, arguments: [id]) ?? 0
                        if kept != found.databaseValue {
                            bad.append("runs row \(run["checkedRowid"] as Int64) (\(column) \(kept), found \(found))")
                        }
                    }
                }
                let orphans = [
                    ("programs", "SELECT rowid FROM programs WHERE runId NOT IN (SELECT id FROM runs)"),
                    ("evaluations", "SELECT rowid FROM evaluations WHERE programId NOT IN (SELECT id FROM programs)"),
                    ("generator_calls", "SELECT rowid FROM generator_calls WHERE runId NOT IN (SELECT id FROM runs)"),
                    ("iteration_states", "SELECT rowid FROM iteration_states WHERE runId NOT IN (SELECT id FROM runs)"),
                ]
                for (table, sql) in orphans {
                    bad += try Int64.fetchAll(db, sql: sql).map { "\(table) row \($0) (belongs to no run)" }
                }
                return bad
            }
        }
    }

    /// Throws `EvolveError.storeCorrupt` naming the first bad row, if any (see `badRows`).
    public func verifyRows() throws {
        if let first = try badRows().first { throw EvolveError.storeCorrupt(path: path, row: first) }
    }

    /// SQLite's own check of the file's structure: its findings, empty when sound.
    public func integrityProblems() throws -> [String] {
        try guarded {
            try pool.read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check").filter { $0 != "ok" } }
        }
    }

    /// Rows in every hashed table.
    public func rowCount() throws -> Int {
        try guarded { try pool.read(Self.rowCount) }
    }

    static func rowCount(_ db: Database) throws -> Int {
        try hashedTables.reduce(0) { $0 + (try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \($1)") ?? 0) }
    }
}
