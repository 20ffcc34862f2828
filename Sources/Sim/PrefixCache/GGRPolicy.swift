import CandidateAPI

/// Greedy group recursion (Liu et al., "Optimizing LLM Queries in Relational Data Analytics
/// Workloads", MLSys'25), structured as the public LLM-SQL evaluator runs it:
///
/// 1. Columns that determine each other one-to-one are merged into one unit (the evaluator merges
///    `beer/beerId` with `beer/name` by hand; here such pairs are found automatically), fields
///    within a unit in column-score order.
/// 2. Units with more than `distinctShare × rows` distinct values are set aside and appended last,
///    by column score. Column score = avg_len² · (rows/distinct − 1), 0 when all values differ.
/// 3. Rows are sorted by the remaining units in score order and cut into contiguous chunks of at
///    most `chunkRows` (halving), each reordered on its own:
/// 4. Pick the value v maximising len(v)² · (count(v) − 1) over the chunk's current cells (ties:
///    the first met, row-major). Below `threshold`, or at `rowDepth` row recursions or
///    `fieldDepth` field recursions, fall back to ordering the current columns by score. Else the
///    rows holding v put the fields holding v first and recurse on the columns after the first
///    (field depth + 1); the other rows recurse on the same columns (row depth + 1).
///
/// The parameters are the evaluator's: threshold 100,000, depths 4 and 2, distinct share 0.7,
/// chunks of 2,000 rows.
public struct GGRPolicy: Sendable {
    public var threshold = 100_000.0
    public var rowDepth = 4
    public var fieldDepth = 2
    public var distinctShare = 0.7
    public var chunkRows = 2000
    public var mergeOneToOneColumns = true

    public init() {}

    /// - Complexity: O(cells · (recursion depth + log rows)) with hashing of every cell once.
    public func reorder(_ table: PrefixTable) -> PrefixOrdering {
        let n = table.rows.count, fieldCount = table.columns.count
        guard n > 0, fieldCount > 0 else { return PrefixOrdering(fieldOrders: table.rows.map { _ in Array(0..<fieldCount) }) }
        var values = ValueIndex()
        let fieldIDs = (0..<fieldCount).map { f in table.rows.map { values.id(for: $0[f]) } }
        let fieldStats = fieldIDs.map { ColumnStats(ids: $0, values: values) }

        // 1. Units: one-to-one column groups.
        let groups = mergeOneToOneColumns ? oneToOneGroups(fieldIDs, fieldStats, rows: n) : (0..<fieldCount).map { [$0] }
        let units = groups.map { group in group.sorted { fieldStats[$0].score > fieldStats[$1].score || (fieldStats[$0].score == fieldStats[$1].score && $0 < $1) } }
        let unitIDs: [[Int32]] = units.map { unit in
            unit.count == 1 ? fieldIDs[unit[0]] : (0..<n).map { r in values.id(for: unit.map { table.rows[r][$0] }.joined()) }
        }
        let unitStats = unitIDs.map { ColumnStats(ids: $0, values: values) }

        // 2. Set aside near-unique units.
        let byScore = (0..<units.count).sorted { unitStats[$0].score > unitStats[$1].score || (unitStats[$0].score == unitStats[$1].score && $0 < $1) }
        let setAside = byScore.filter { Double(unitStats[$0].distinct) > distinctShare * Double(n) }
        let recursed = byScore.filter { Double(unitStats[$0].distinct) <= distinctShare * Double(n) }

        // 3. Sort rows by the recursed units' values and cut into chunks.
        let rank = values.lexicographicRanks()
        let sortedRows = (0..<n).sorted { a, b in
            for u in recursed where unitIDs[u][a] != unitIDs[u][b] { return rank[Int(unitIDs[u][a])] < rank[Int(unitIDs[u][b])] }
            return a < b
        }
        var state = Recursion(policy: self, cells: unitIDs, lengths: values.lengths, width: recursed.count,
                              initial: recursed, rows: n)
        var chunks: [ArraySlice<Int>] = []
        func cut(_ rows: ArraySlice<Int>) {
            if rows.count <= chunkRows { chunks.append(rows); return }
            let mid = rows.startIndex + rows.count / 2
            cut(rows[rows.startIndex ..< mid])
            cut(rows[mid ..< rows.endIndex])
        }
        cut(sortedRows[...])
        for chunk in chunks { state.reorder(Array(chunk), from: 0, rowDepth: 0, fieldDepth: 0) }

        let fieldOrders = (0..<n).map { r in
            (state.sequence(of: r) + setAside).flatMap { units[$0] }
        }
        return PrefixOrdering(fieldOrders: fieldOrders, rowOrder: nil)
    }

    /// Groups of columns whose values determine each other (as many distinct values each as
    /// distinct pairs), excluding near-unique columns, found by union–find over column pairs.
    func oneToOneGroups(_ ids: [[Int32]], _ stats: [ColumnStats], rows: Int) -> [[Int]] {
        let m = ids.count
        var parent = Array(0..<m)
        func find(_ x: Int) -> Int { var x = x; while parent[x] != x { x = parent[x] }; return x }
        for a in 0..<m {
            for b in (a + 1)..<max(a + 1, m) {
                let d = stats[a].distinct
                guard d == stats[b].distinct, d > 1, Double(d) <= distinctShare * Double(rows) else { continue }
                var pairs = Set<Int64>()
                for r in 0..<rows { pairs.insert(Int64(ids[a][r]) << 32 | Int64(ids[b][r])) }
                if pairs.count == d { parent[find(b)] = find(a) }
            }
        }
        var groups: [Int: [Int]] = [:]
        for c in 0..<m { groups[find(c), default: []].append(c) }
        return groups.keys.sorted().map { groups[$0]! }
    }
}

/// Interned cell texts.
struct ValueIndex {
    private var ids: [String: Int32] = [:]
    private(set) var texts: [String] = []
    /// Length of each value in Unicode scalars.
    private(set) var lengths: [Int] = []

    mutating func id(for text: String) -> Int32 {
        if let id = ids[text] { return id }
        let id = Int32(texts.count)
        ids[text] = id
        texts.append(text)
        lengths.append(text.unicodeScalars.count)
        return id
    }

    /// Each value's rank in Unicode-scalar order (not `String <`, which equates canonically
    /// equivalent strings).
    func lexicographicRanks() -> [Int] {
        let scalars = texts.map { Array($0.unicodeScalars.map(\.value)) }
        let order = (0..<texts.count).sorted { scalars[$0].lexicographicallyPrecedes(scalars[$1]) }
        var rank = [Int](repeating: 0, count: texts.count)
        for (r, id) in order.enumerated() { rank[id] = r }
        return rank
    }
}

/// Distinct values, average length and score of a column.
struct ColumnStats {
    var distinct: Int
    var averageLength: Double
    var score: Double

    init(ids: [Int32], values: ValueIndex) {
        let n = ids.count
        distinct = Set(ids).count
        averageLength = n == 0 ? 0 : Double(ids.reduce(0) { $0 + values.lengths[Int($1)] }) / Double(n)
        score = ColumnStats.score(rows: n, distinct: distinct, averageLength: averageLength)
    }

    static func score(rows: Int, distinct: Int, averageLength: Double) -> Double {
        guard distinct > 0, distinct < rows else { return 0 }
        return averageLength * averageLength * (Double(rows) / Double(distinct) - 1)
    }
}
