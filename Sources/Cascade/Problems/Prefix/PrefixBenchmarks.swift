import CandidateAPI
import Foundation
import Sim
import SimCore

extension PrefixProblem {
    /// Parsing a large table (always), and beer.csv (reference data only): parse, exact PHR, GGR.
    public func benchmarks(runs: Int, catalog: InputCatalog) throws -> [BenchRow] {
        var rows = [try Self.parseAtScale(rows: 100_000, runs: runs)]
        if let data = try? catalog.referenceData() {
            rows += try Self.prefix(data.appendingPathComponent("prefix/beer.csv"), runs: runs)
        }
        return rows
    }

    /// Parsing (and rendering) a deterministic table of `rows` × 8 cells in memory: integers,
    /// floats, quoted text with delimiters, repeated and distinct text.
    static func parseAtScale(rows: Int, runs: Int) throws -> BenchRow {
        var text = "id,user,score,rating,category,title,review,flag\n"
        for r in 0..<rows {
            text += "\(r),user\(r % 997),\(r % 5).\(r % 10),\(r % 20)/20,cat\(r % 13),\"Title \(r % 311), part \(r % 7)\","
                + "review text \(r) with words \(r % 101),\(r % 2 == 0 ? "True" : "False")\n"
        }
        var count = 0
        let parse = try BenchSamples.wallTime(runs: runs) { count = try PrefixTableFile.parse(text, name: "generated").rows.count }
        precondition(count == rows)
        return BenchRow("prefix parse: generated \(rows / 1000)k × 8 table (\(text.utf8.count >> 20) MiB, rendered)", clock: "wall", parse)
    }

    /// beer.csv: parsing (apart), the exact PHR of the original order (excluding parsing), and
    /// GGR's reordering.
    static func prefix(_ url: URL, runs: Int) throws -> [BenchRow] {
        var table = PrefixTable(columns: [], rows: [])
        let parse = try BenchSamples.wallTime(runs: runs) { table = try PrefixTableFile.load(from: url) }
        let original = BuiltinPrefixPolicy.original.reorder(table)
        var hits = 0
        let metric = try BenchSamples.cpuTime(runs: runs, sink: { hits = $0 }) { () throws -> Int in
            try PrefixHitRate(table: table, ordering: original).hitChars
        }
        var ggrRate = 0.0
        let ggr = BenchSamples.cpuTime(runs: runs, sink: { ggrRate = $0 }) { () -> Double in
            Double(GGRPolicy().reorder(table).fieldOrders.count)
        }
        precondition(hits > 0 && ggrRate > 0)
        return [
            BenchRow("prefix beer.csv parse (28,479 × 9)", clock: "wall", parse),
            BenchRow("prefix beer.csv PHR, original order", clock: "cpu", metric),
            BenchRow("prefix beer.csv ggr reorder", clock: "cpu", ggr),
        ]
    }
}
