/// Calibration candidates for prefix caching: the ggr template over a grid of its parameters,
/// each with and without a row order (rows sorted by their strings, which the public PHR cannot
/// see but a finite KV cache can), static column orders, and at most 20 % deliberately bad ones
/// (unique columns first, random field orders, an invalid answer, a crash).
public enum PrefixCandidatePool {
    public static func make(size: Int) -> [PoolCandidate] {
        var pool = [PoolCandidate(name: "ggr (template)", origin: .baseline, source: CandidateProblem.prefix.template),
                    PoolCandidate(name: "original", origin: .baseline, source: staticOrder("Array(0..<fields)", rows: .file))]
        var variants: [PoolCandidate] = []
        for rows in [RowOrder.file, .sorted] {
            for threshold in ["1_000.0", "10_000.0", "100_000.0", "1_000_000.0"] {
                for rowDepth in [1, 2, 4, 8] {
                    for fieldDepth in [1, 2, 4] {
                        variants.append(PoolCandidate(
                            name: "ggr threshold=\(threshold) rows=\(rowDepth) fields=\(fieldDepth)\(rows.suffix)", origin: .variant,
                            source: ggr(parameters: "let threshold = \(threshold), rowDepth = \(rowDepth), fieldDepth = \(fieldDepth), "
                                + "distinctShare = 0.7, chunkRows = 2000", rows: rows)))
                    }
                }
            }
            for (share, chunk) in [("0.3", 2000), ("1.0", 2000), ("0.7", 250), ("0.7", 500)] {
                variants.append(PoolCandidate(
                    name: "ggr distinct share=\(share) chunk=\(chunk)\(rows.suffix)", origin: .variant,
                    source: ggr(parameters: "let threshold = 100_000.0, rowDepth = 4, fieldDepth = 2, distinctShare = \(share), "
                        + "chunkRows = \(chunk)", rows: rows)))
            }
        }
        let statics = [("fewest distinct first", "Array(0..<fields).sorted { (distinct[$0], $0) < (distinct[$1], $1) }"),
                       ("longest shared first", "Array(0..<fields).sorted { (-score[$0], $0) < (-score[$1], $1) }")]
        for (name, order) in statics {
            for rows in [RowOrder.file, .sorted, .reversed] {
                variants.append(PoolCandidate(name: "columns by \(name)\(rows.suffix)", origin: .variant,
                                              source: staticOrder(order, rows: rows)))
            }
        }
        let bad = [PoolCandidate(name: "unique columns first", origin: .bad,
                                 source: staticOrder("Array(0..<fields).sorted { (-distinct[$0], $0) < (-distinct[$1], $1) }", rows: .file)),
                   PoolCandidate(name: "crash", origin: .bad, source: withBlock("fatalError(\"deliberately bad\")")),
                   PoolCandidate(name: "drops a cell", origin: .bad,
                                 source: withBlock("return PrefixOrdering(fieldOrders: table.rows.map { _ in Array(1..<table.columns.count) })"))]
            + (0..<20).map { PoolCandidate(name: "random field orders \($0)", origin: .bad, source: randomOrders(seed: $0)) }
        let badCount = min(size / 5, max(1, size / 6), bad.count)
        let wanted = min(variants.count, max(0, size - pool.count - badCount))
        pool += (0..<wanted).map { variants[$0 * variants.count / max(wanted, 1)] }
        return pool + bad.prefix(badCount)
    }

    enum RowOrder {
        case file, sorted, reversed
        var suffix: String {
            switch self {
            case .file: return ""
            case .sorted: return ", rows sorted"
            case .reversed: return ", rows reverse-sorted"
            }
        }

        /// Code ending the block: `orders` → a `PrefixOrdering`.
        var ending: String {
            switch self {
            case .file:
                return "return PrefixOrdering(fieldOrders: orders)"
            case .sorted, .reversed:
                return """
                    let strings = table.rows.indices.map { r in Array(orders[r].map { table.rows[r][$0] }.joined().unicodeScalars.map(\\.value)) }
                    let sorted = table.rows.indices.sorted { a, b in
                        strings[a] == strings[b] ? a < b : strings[a].lexicographicallyPrecedes(strings[b])
                    }
                    return PrefixOrdering(fieldOrders: orders, rowOrder: \(self == .sorted ? "sorted" : "Array(sorted.reversed())"))
                    """
            }
        }
    }

    static func withBlock(_ body: String) -> String { CandidateProblem.prefix.template(withBlock: body) }

    /// The template with its parameter line replaced and its answer given `rows`.
    static func ggr(parameters: String, rows: RowOrder) -> String {
        let template = CandidateProblem.prefix.template
        let line = "let threshold = 100_000.0, rowDepth = 4, fieldDepth = 2, distinctShare = 0.7, chunkRows = 2000"
        let answer = "return PrefixOrdering(fieldOrders: (0..<n).map { r in (sequence[r] + setAside).flatMap { units[$0] } })"
        precondition(template.contains(line) && template.contains(answer), "the prefix template's parameters and answer")
        let ending = ("let orders = (0..<n).map { r in (sequence[r] + setAside).flatMap { units[$0] } }\n" + rows.ending)
            .split(separator: "\n").joined(separator: "\n        ")
        return template.replacingOccurrences(of: line, with: parameters).replacingOccurrences(of: answer, with: ending)
    }

    /// One column order for every row, from per-column statistics (`distinct`, `score`: mean
    /// length² × (rows / distinct − 1), ggr's column score).
    static func staticOrder(_ order: String, rows: RowOrder) -> String {
        withBlock("""
            let n = table.rows.count, fields = table.columns.count
            let distinct = (0..<fields).map { f in Set(table.rows.map { $0[f] }).count }
            let score = (0..<fields).map { f -> Double in
                let length = Double(table.rows.reduce(0) { $0 + $1[f].unicodeScalars.count }) / Double(max(n, 1))
                return distinct[f] > 0 ? length * length * (Double(n) / Double(distinct[f]) - 1) : 0
            }
            _ = score
            let order = \(order)
            let orders = [[Int]](repeating: order, count: n)
            \(rows.ending)
            """)
    }

    static func randomOrders(seed: Int) -> String {
        withBlock("""
            var state: UInt64 = \(seed + 1) &* 0x9E3779B97F4A7C15
            let fields = table.columns.count
            return PrefixOrdering(fieldOrders: table.rows.map { _ in
                var order = Array(0..<fields)
                for i in stride(from: fields - 1, to: 0, by: -1) {
                    state = state &* 6364136223846793005 &+ 1442695040888963407
                    order.swapAt(i, Int(state >> 33) % (i + 1))
                }
                return order
            })
            """)
    }
}
