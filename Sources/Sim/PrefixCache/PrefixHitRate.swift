import CandidateAPI
import SimCore

/// The prefix hit rate of a table sent in a given ordering, exactly as the public metric
/// defines it: row string = the row's cells concatenated in its field order; hits of a row =
/// the longest common prefix with any earlier row string; lengths in Unicode scalars.
///
/// The sum of hits does not depend on the row order (it is Σ over the nodes of the prefix trie
/// of (strings through the node − 1)), so it is computed by sorting the strings by Unicode
/// scalars and adding the common prefix of neighbours — O(total · log rows), no trie.
public struct PrefixHitRate: Sendable, Equatable {
    public var hitChars: Int
    public var totalChars: Int

    /// hit_chars / total_chars (a fraction; 0 for an empty table).
    public var phr: Double { totalChars == 0 ? 0 : Double(hitChars) / Double(totalChars) }

    public init(hitChars: Int, totalChars: Int) {
        self.hitChars = hitChars
        self.totalChars = totalChars
    }

    /// Validates `ordering` against `table` and measures it.
    /// - Throws: `SimError.invalidParameter` when an order is not a permutation.
    public init(table: PrefixTable, ordering: PrefixOrdering) throws {
        try PrefixHitRate.validate(ordering, for: table)
        self = PrefixHitRate.measure(ScalarTable(table), fieldOrders: ordering.fieldOrders)
    }

    /// Checks that every row's field order, and the row order if any, is a permutation — so
    /// every row keeps exactly its multiset of cells.
    public static func validate(_ ordering: PrefixOrdering, for table: PrefixTable) throws {
        let fields = table.columns.count
        guard ordering.fieldOrders.count == table.rows.count else {
            throw SimError.invalidParameter(name: "field orders", value: "\(ordering.fieldOrders.count) rows",
                                            reason: "expected one per row (\(table.rows.count))")
        }
        var seen = [Bool](repeating: false, count: max(fields, table.rows.count))
        for (row, order) in ordering.fieldOrders.enumerated() {
            guard order.count == fields else {
                throw SimError.invalidParameter(name: "field order", value: "row \(row)",
                                                reason: "has \(order.count) indices for \(fields) fields")
            }
            for i in 0..<fields { seen[i] = false }
            for field in order {
                guard field >= 0 && field < fields && !seen[field] else {
                    throw SimError.invalidParameter(name: "field order", value: "row \(row)",
                                                    reason: "is not a permutation of 0..<\(fields) (\(field))")
                }
                seen[field] = true
            }
        }
        if let rowOrder = ordering.rowOrder {
            guard rowOrder.count == table.rows.count else {
                throw SimError.invalidParameter(name: "row order", value: "\(rowOrder.count) rows",
                                                reason: "expected a permutation of all \(table.rows.count)")
            }
            for i in seen.indices { seen[i] = false }
            for row in rowOrder {
                guard row >= 0 && row < table.rows.count && !seen[row] else {
                    throw SimError.invalidParameter(name: "row order", value: "\(row)", reason: "is not a permutation of the rows")
                }
                seen[row] = true
            }
        }
    }

    /// Hits and total of already validated field orders.
    /// - Complexity: O(C log R) scalar comparisons for C scalars in R rows.
    public static func measure(_ table: ScalarTable, fieldOrders: [[Int]]) -> PrefixHitRate {
        let rowCount = fieldOrders.count
        // All row strings, concatenated in one buffer.
        var buffer: [UInt32] = []
        buffer.reserveCapacity(table.totalScalars)
        var offsets = [Int](repeating: 0, count: rowCount + 1)
        for row in 0..<rowCount {
            for field in fieldOrders[row] { table.appendCell(row: row, field: field, to: &buffer) }
            offsets[row + 1] = buffer.count
        }
        var order = Array(0..<rowCount)
        var hits = 0
        buffer.withUnsafeBufferPointer { b in
            offsets.withUnsafeBufferPointer { off in
                order.sort { lhs, rhs in
                    compare(b, off[lhs], off[lhs + 1], off[rhs], off[rhs + 1]) < 0
                }
                for k in 1..<max(rowCount, 1) {
                    let a = order[k - 1], c = order[k]
                    hits += commonPrefix(b, off[a], off[a + 1], off[c], off[c + 1])
                }
            }
        }
        return PrefixHitRate(hitChars: hits, totalChars: buffer.count)
    }

    @inline(__always)
    static func compare(_ b: UnsafeBufferPointer<UInt32>, _ s1: Int, _ e1: Int, _ s2: Int, _ e2: Int) -> Int {
        let n = min(e1 - s1, e2 - s2)
        var i = 0
        while i < n {
            let x = b[s1 + i], y = b[s2 + i]
            if x != y { return x < y ? -1 : 1 }
            i += 1
        }
        return (e1 - s1) - (e2 - s2)
    }

    @inline(__always)
    static func commonPrefix(_ b: UnsafeBufferPointer<UInt32>, _ s1: Int, _ e1: Int, _ s2: Int, _ e2: Int) -> Int {
        let n = min(e1 - s1, e2 - s2)
        var i = 0
        while i < n && b[s1 + i] == b[s2 + i] { i += 1 }
        return i
    }
}

/// A table's cells as Unicode scalars in one buffer, for fast string building.
public struct ScalarTable: Sendable {
    public let rowCount: Int
    public let fieldCount: Int
    /// Cell (row, field) is `scalars[start[row·F + field] ..< start[row·F + field + 1]]`.
    let scalars: [UInt32]
    let start: [Int]

    /// - Complexity: O(characters).
    public init(_ table: PrefixTable) {
        rowCount = table.rows.count
        fieldCount = table.columns.count
        var scalars: [UInt32] = []
        var start: [Int] = [0]
        start.reserveCapacity(rowCount * fieldCount + 1)
        for row in table.rows {
            for cell in row {
                for s in cell.unicodeScalars { scalars.append(s.value) }
                start.append(scalars.count)
            }
        }
        self.scalars = scalars
        self.start = start
    }

    public var totalScalars: Int { scalars.count }

    /// Length of a cell in Unicode scalars.
    public func length(row: Int, field: Int) -> Int {
        start[row * fieldCount + field + 1] - start[row * fieldCount + field]
    }

    @inline(__always)
    func appendCell(row: Int, field: Int, to buffer: inout [UInt32]) {
        let i = row * fieldCount + field
        buffer.append(contentsOf: scalars[start[i] ..< start[i + 1]])
    }
}
