import Foundation
import TestSupport
import Testing

@Suite struct SimulatePrefixTests {
    @Test(.needsReferenceData) func beerOriginalAndGGR() throws {
        let original = try CommandRunner.run(["simulate", "prefix", "--table", "prefix/beer.csv", "--policy", "original", "--json"])
        #expect(original.status == 0, "\(original.stderr)")
        let o = try original.json()
        #expect(o["total_chars"] as? Int == 2_271_333)
        #expect(o["hit_chars"] as? Int == 332_115)
        let ggr = try CommandRunner.run(["simulate", "prefix", "--table", "prefix/beer.csv", "--policy", "ggr", "--json"]).json()
        #expect((ggr["phr"] as? Double ?? 0) >= 0.70)
        #expect(ggr["runtime_seconds"] is Double && ggr["parse_seconds"] is Double)
    }

    /// Without --table: the five research-scale tables shaped like LLM-SQL's, with the merge
    /// groups their manifest names (whether or not the reference data is present).
    @Test func defaultTablesAreMeasured() throws {
        let result = try CommandRunner.run(["simulate", "prefix", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let tables = try #require(try result.json()["tables"] as? [[String: Any]])
        #expect(tables.count == 5 && tables.reduce(0) { $0 + ($1["rows"] as? Int ?? 0) } == 100_979, "\(tables.map { $0["rows"] ?? 0 })")
    }

    @Test func badInputIsOneLineAndExitTwo() throws {
        let folder = try TestPaths.temporaryDirectory()
        let ragged = folder.appendingPathComponent("ragged.csv")
        try Data("a,b\n1,2\n3\n".utf8).write(to: ragged)
        let quote = folder.appendingPathComponent("quote.csv")
        try Data("a,b\n\"1,2\n".utf8).write(to: quote)
        for (arguments, mention) in [
            (["simulate", "prefix", "--table", ragged.path], "row 2 has 1 fields"),
            (["simulate", "prefix", "--table", quote.path], quote.path),
            (["simulate", "prefix", "--table", "nope.csv"], "nope.csv"),
            (["simulate", "prefix", "--policy", "best"], "unknown policy 'best'"),
        ] {
            let result = try CommandRunner.run(arguments)
            #expect(result.status == 2, "\(arguments): \(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1 && result.stderr.contains(mention), "\(result.stderr)")
        }
    }
}
