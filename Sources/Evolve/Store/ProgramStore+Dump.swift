import GRDB

extension ProgramStore {
    /// Columns that record how long something took: they differ between two runs of the same
    /// seed and are left out of `dump`.
    public static let timingColumns: Set<String> = ["seconds"]

    /// Every row of the run in every table, one line each as `table: column=value …` in a fixed
    /// order, timing columns left out — two stores of the same seed and worker count dump alike.
    /// - Complexity: O(rows).
    public func dump(run id: String) throws -> [String] {
        let queries: [(String, String)] = [
            ("runs", "SELECT * FROM runs WHERE id = ?"),
            ("programs", "SELECT * FROM programs WHERE runId = ? ORDER BY id"),
            ("evaluations", "SELECT e.* FROM evaluations e JOIN programs p ON p.id = e.programId WHERE p.runId = ? ORDER BY e.id"),
            ("generator_calls", "SELECT * FROM generator_calls WHERE runId = ? ORDER BY id"),
            ("iteration_states", "SELECT * FROM iteration_states WHERE runId = ? ORDER BY iteration"),
        ]
        return try pool.read { db in
            try queries.flatMap { table, sql in
                try Row.fetchAll(db, sql: sql, arguments: [id]).map { row in
                    "\(table): " + row.columnNames.filter { !Self.timingColumns.contains($0) }
                        .map { "\($0)=\(row[$0] as DatabaseValue)" }.joined(separator: " ")
                }
            }
        }
    }
}
