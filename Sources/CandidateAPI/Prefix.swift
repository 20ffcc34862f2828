// The prefix-cache field-reordering problem (LLM-SQL, MLSys'25) as a candidate sees it: rows of
// a table are sent to an LLM one by one, each as the concatenation of its cells; choosing, per
// row, the order of its fields makes prompts share prefixes that a KV cache can reuse.

/// A table: column names and rows of cell texts (every row has `columns.count` cells).
public struct PrefixTable: Sendable, Equatable {
    public var columns: [String]
    public var rows: [[String]]

    @inlinable
    public init(columns: [String], rows: [[String]]) {
        self.columns = columns
        self.rows = rows
    }
}

/// A candidate's answer: for every row a permutation of its field indices, and optionally an
/// order of the rows (a permutation of the row indices). Indices only, never text: the
/// simulator builds the strings, so no cell can be added, dropped or changed.
public struct PrefixOrdering: Sendable, Equatable {
    /// `fieldOrders[row]`: the row's field indices in the order they are concatenated.
    public var fieldOrders: [[Int]]
    /// The order rows are sent in, or `nil` for file order.
    public var rowOrder: [Int]?

    @inlinable
    public init(fieldOrders: [[Int]], rowOrder: [Int]? = nil) {
        self.fieldOrders = fieldOrders
        self.rowOrder = rowOrder
    }
}

/// A field reorderer. The score is the prefix hit rate of the rows built in the chosen orders.
public protocol FieldReorderer {
    init()
    mutating func reorder(_ table: PrefixTable) -> PrefixOrdering
}
