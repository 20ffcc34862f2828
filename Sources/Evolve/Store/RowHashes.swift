import Cascade
import Foundation
import GRDB

/// Row hashes: each row of a store carries FNV-1a (64 bits) over its rowid and every other
/// column, name, type and value — written in the transaction that writes the row, checked by
/// every reader that trusts the store (`runs show/dump/verify`, `evolve --resume`).
///
/// The hash finds damage and edits made outside sim-cascade; it is not a signature (whoever can
/// write the file can recompute it), which is outside what a store defends against.
extension ProgramStore {
    /// Tables whose rows are hashed: all of a store's.
    static let hashedTables = ["runs", "programs", "evaluations", "generator_calls", "iteration_states"]
    static let hashColumn = "rowHash"

    /// Whether the store predates row hashes (has tables but no hash column): it gets them when
    /// opened for writing. A row of a later store without a hash is a bad row, never upgraded.
    static func lacksRowHashes(_ db: Database) throws -> Bool {
        try rowsWithoutHashColumn(db) > 0
    }

    /// The rows of a store that predates row hashes (0 for a newer or an empty store).
    static func rowsWithoutHashColumn(_ db: Database) throws -> Int {
        guard try db.tableExists("programs"), try !db.columns(in: "programs").contains(where: { $0.name == hashColumn }) else { return 0 }
        return try hashedTables.reduce(0) { sum, table in
            sum + (try db.tableExists(table) ? Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table)") ?? 0 : 0)
        }
    }

    /// Hashes every row that has no hash yet; returns how many.
    /// - Complexity: O(rows without a hash), through each table's partial index of them.
    @discardableResult
    static func sealNewRows(_ db: Database) throws -> Int {
        var sealed = 0
        for table in hashedTables {
            let rows = try Row.fetchAll(db, sql: "SELECT rowid AS sealRowid, * FROM \(table) WHERE rowHash IS NULL")
            for row in rows {
                let rowid: Int64 = row["sealRowid"]
                try db.execute(sql: "UPDATE \(table) SET rowHash = ? WHERE rowid = ?", arguments: [hash(row, rowid: rowid), rowid])
            }
            sealed += rows.count
        }
        return sealed
    }

    /// FNV-1a over the rowid and every column but the hash, in the table's column order.
    static func hash(_ row: Row, rowid: Int64) -> String {
        var hash = FNV1a()
        hash.combine(withUnsafeBytes(of: rowid.littleEndian) { Array($0) })
        for (column, value) in row where column != "sealRowid" && column != hashColumn {
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

    /// Every row whose hash is missing or differs from its columns', as `table row N`, in table
    /// order then rowid order.
    /// - Complexity: O(rows × row size).
    public func badRows() throws -> [String] {
        try guarded {
            try pool.read { db in
                var bad: [String] = []
                for table in Self.hashedTables {
                    for row in try Row.fetchAll(db, sql: "SELECT rowid AS sealRowid, * FROM \(table) ORDER BY rowid") {
                        let rowid: Int64 = row["sealRowid"]
                        // Read as a raw value: a damaged store may hold anything in any column.
                        let stored = row[Self.hashColumn] as DatabaseValue
                        guard case .string(let text) = stored.storage, text == Self.hash(row, rowid: rowid) else {
                            bad.append("\(table) row \(rowid)")
                            continue
                        }
                    }
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
}

extension ProgramStore {
    /// Rows in every hashed table.
    public func rowCount() throws -> Int {
        try guarded {
            try pool.read { db in
                try Self.hashedTables.reduce(0) { $0 + (try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \($1)") ?? 0) }
            }
        }
    }
}
