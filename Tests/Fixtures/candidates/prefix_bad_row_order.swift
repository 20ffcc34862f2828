import CandidateAPI

// Sends the first row twice and never the last.
struct Candidate: FieldReorderer {
    init() {}
    mutating func reorder(_ table: PrefixTable) -> PrefixOrdering {
        let n = table.rows.count
        return PrefixOrdering(fieldOrders: table.rows.map { _ in Array(table.columns.indices) },
                              rowOrder: (0..<n).map { $0 == n - 1 ? 0 : $0 })
    }
}
