import GRDB

extension ProgramStore {
    /// Columns that differ between two runs of the same seed — how long something took, and the
    /// row hash, which covers it — left out of `dump`.
    public static let volatileColumns: Set<String> = ["seconds", hashColumn]

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
        return try guarded { try pool.read { db in
            try queries.flatMap { table, sql in
                try Row.fetchAll(db, sql: sql, arguments: [id]).map { row in
                    "\(table): " + row.columnNames.filter { !Self.volatileColumns.contains($0) }
                        .map { "\($0)=\(row[$0] as DatabaseValue)" }.joined(separator: " ")
                }
            }
        } }
    }

    /// Every recorded failure of the run by iteration: a call's error, or the message of the last
    /// failing stage of a child — what the loop shows a generator as its recent errors.
    /// - Complexity: O(calls + evaluations).
    public func failures(run id: String) throws -> [(iteration: Int, text: String)] {
        try guarded { try pool.read { db in
            let calls = try Row.fetchAll(db, sql: "SELECT iteration, error FROM generator_calls WHERE runId = ? AND error IS NOT NULL",
                                         arguments: [id]).map { (iteration: $0["iteration"] as Int, text: $0["error"] as String) }
            let stages = try Row.fetchAll(db, sql: """
                SELECT p.iteration AS iteration, e.stage AS stage, e.failureMessage AS message
                FROM evaluations e JOIN programs p ON p.id = e.programId
                WHERE p.runId = ? AND e.id = (SELECT MAX(e2.id) FROM evaluations e2
                                              WHERE e2.programId = e.programId AND e2.failureMessage IS NOT NULL)
                """, arguments: [id]).map { row in
                (iteration: row["iteration"] as Int, text: "\(row["stage"] as String): \(row["message"] as String)")
            }
            return (calls + stages).sorted { $0.iteration < $1.iteration }
        } }
    }
}
