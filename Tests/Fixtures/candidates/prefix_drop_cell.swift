import CandidateAPI

// Repeats the first field instead of the last: a cell is dropped and another duplicated.
struct Candidate: FieldReorderer {
    init() {}
    mutating func reorder(_ table: PrefixTable) -> PrefixOrdering {
        let n = table.columns.count
        return PrefixOrdering(fieldOrders: table.rows.map { _ in (0..<n).map { $0 == n - 1 ? 0 : $0 } })
    }
}
