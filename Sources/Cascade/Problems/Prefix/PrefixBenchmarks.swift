import CandidateAPI
import Foundation
import Sim
import SimCore

extension PrefixProblem {
    /// beer.csv (reference data only): parse, exact PHR, GGR.
    public func benchmarks(runs: Int, catalog: InputCatalog) throws -> [BenchRow] {
        guard let data = try? catalog.referenceData() else { return [] }
        return try Self.prefix(data.appendingPathComponent("prefix/beer.csv"), runs: runs)
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
