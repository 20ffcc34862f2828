// The prefix-cache field-reordering problem (LLM-SQL, MLSys'25) as a candidate sees it: rows of
// a table are sent to an LLM one by one, each as the concatenation of its cells; choosing, per
// row, the order of its fields makes prompts share prefixes that a KV cache can reuse.

/// A table: column names and rows of cell texts (every row has `columns.count` cells), as the
/// public LLM-SQL evaluator gives it to a solution.
///
/// Cells are the evaluator's text of each value after pandas parsed the CSV (`007` in a column
/// of integers is `7`, a missing value is empty; docs/problems/prefix.md lists the rules); the
/// hit rate is measured on the same text.
public struct PrefixTable: Sendable, Equatable {
    public var columns: [String]
    public var rows: [[String]]
    /// Groups of columns (indices into `columns`, in the evaluator's order) that the public
    /// evaluator lets a solution merge into one field for this dataset; empty for a table that
    /// is not one of its datasets. Advice, not a rule: keeping a group's fields adjacent in the
    /// listed order is what a merge does here (no separator is ever inserted).
    public var columnMerges: [[Int]]
    /// The arguments the public evaluator passes to a solution's `reorder`.
    public var reorderArguments: PrefixReorderArguments

    @inlinable
    public init(columns: [String], rows: [[String]], columnMerges: [[Int]] = [],
                reorderArguments: PrefixReorderArguments = .publicEvaluator) {
        self.columns = columns
        self.rows = rows
        self.columnMerges = columnMerges
        self.reorderArguments = reorderArguments
    }
}

/// The public LLM-SQL evaluator's `reorder(...)` arguments.
public struct PrefixReorderArguments: Sendable, Equatable {
    /// Stop grouping once the best value's weight (len² × (count − 1)) falls below this.
    public var earlyStop: Int
    /// Columns with more distinct values than this share of the rows are set aside.
    public var distinctValueThreshold: Double
    /// Row-recursion depth limit.
    public var rowStop: Int
    /// Column-recursion depth limit.
    public var colStop: Int

    @inlinable
    public init(earlyStop: Int, distinctValueThreshold: Double, rowStop: Int, colStop: Int) {
        self.earlyStop = earlyStop
        self.distinctValueThreshold = distinctValueThreshold
        self.rowStop = rowStop
        self.colStop = colStop
    }

    /// What the evaluator passes for every dataset: `early_stop=100000`,
    /// `distinct_value_threshold=0.7`, `row_stop=4`, `col_stop=2`.
    public static let publicEvaluator = PrefixReorderArguments(earlyStop: 100_000, distinctValueThreshold: 0.7, rowStop: 4, colStop: 2)
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
