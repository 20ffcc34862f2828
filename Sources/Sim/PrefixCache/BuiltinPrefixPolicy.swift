import CandidateAPI
import SimCore

/// The built-in field-reordering policies, by their command-line names.
public enum BuiltinPrefixPolicy: String, CaseIterable, Sendable {
    /// Every row in file order of its fields.
    case original
    /// Greedy group recursion with the public evaluator's parameters (see `GGRPolicy`).
    case ggr

    /// - Throws: `SimError.unknownPolicy`.
    public init(named name: String) throws {
        guard let policy = BuiltinPrefixPolicy(rawValue: name) else {
            throw SimError.unknownPolicy(name, known: Self.allCases.map(\.rawValue))
        }
        self = policy
    }

    public func reorder(_ table: PrefixTable) -> PrefixOrdering {
        switch self {
        case .original:
            let identity = Array(0..<table.columns.count)
            return PrefixOrdering(fieldOrders: [[Int]](repeating: identity, count: table.rows.count))
        case .ggr:
            return GGRPolicy().reorder(table)
        }
    }
}
