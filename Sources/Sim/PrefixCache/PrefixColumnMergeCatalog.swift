import CandidateAPI
import Foundation
import SimCore

/// The column-merge lists the public LLM-SQL evaluator passes per dataset, and its reorder
/// arguments, read from a file in the reference data's format (`prefix/col-merge.json`:
/// `{"datasets": {"beer.csv": [["beer/beerId", "beer/name"]], ...}, "reorder_arguments": {...}}`).
public struct PrefixColumnMergeCatalog: Sendable, Equatable {
    /// Per dataset file name, the groups of column names.
    public var datasets: [String: [[String]]]
    public var reorderArguments: PrefixReorderArguments

    public init(datasets: [String: [[String]]], reorderArguments: PrefixReorderArguments = .publicEvaluator) {
        self.datasets = datasets
        self.reorderArguments = reorderArguments
    }

    /// - Throws: `SimError.malformedFile` naming what is wrong.
    public static func load(from url: URL) throws -> PrefixColumnMergeCatalog {
        struct File: Decodable {
            struct Arguments: Decodable {
                var early_stop: Int
                var distinct_value_threshold: Double
                var row_stop: Int
                var col_stop: Int
            }
            var datasets: [String: [[String]]]
            var reorder_arguments: Arguments
        }
        let file: File
        do {
            file = try JSONDecoder().decode(File.self, from: Data(contentsOf: url))
        } catch {
            throw SimError.malformedFile(url.path, reason: "not a column-merge file (\(error.localizedDescription))")
        }
        let a = file.reorder_arguments
        return PrefixColumnMergeCatalog(
            datasets: file.datasets,
            reorderArguments: PrefixReorderArguments(earlyStop: a.early_stop, distinctValueThreshold: a.distinct_value_threshold,
                                                     rowStop: a.row_stop, colStop: a.col_stop))
    }

    /// `table` with the merge groups of the dataset named `fileName` (groups naming a column the
    /// table lacks are left out: the table only shares the dataset's file name) and the
    /// evaluator's reorder arguments.
    /// - Complexity: O(columns + listed names).
    public func applied(to table: PrefixTable, fileName: String) -> PrefixTable {
        var table = table
        let index = Dictionary(table.columns.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        table.columnMerges = (datasets[fileName] ?? []).compactMap { group in
            let columns = group.compactMap { index[$0] }
            return columns.count == group.count && !columns.isEmpty ? columns : nil
        }
        table.reorderArguments = reorderArguments
        return table
    }
}
