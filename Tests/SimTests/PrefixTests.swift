import CandidateAPI
import Foundation
import Sim
import TestSupport
import Testing
import SimCore

@Suite struct PrefixTests {
    private func references() throws -> [String: Any] {
        let url = try TestPaths.referenceData().appendingPathComponent("prefix/reference-values.json")
        return try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
    }

    private func identity(_ table: PrefixTable) -> PrefixOrdering {
        BuiltinPrefixPolicy.original.reorder(table)
    }

    @Test(.needsReferenceData, arguments: ["toy_a_b_c", "toy_b_a_c"])
    func toyTablesMatchTheReference(name: String) throws {
        let toy = try references()[name] as! [String: Any]
        let rows = (toy["rows"] as! [[Any]]).map { $0.map { "\($0)" } }
        let table = PrefixTable(columns: ["a", "b", "c"], rows: rows)
        let rate = try PrefixHitRate(table: table, ordering: identity(table))
        let result = toy["result"] as! [Double]
        #expect(rate.hitChars == Int(result[0]))
        #expect(abs(rate.phr * 100 - result[1]) < 1e-9)
    }

    @Test(.needsReferenceData) func beerTotalsAndFirstThousandRowsMatchTheReference() throws {
        let refs = try references()
        let beer = try PrefixTableFile.load(from: TestPaths.referenceData().appendingPathComponent("prefix/beer.csv"))
        #expect(beer.rows.count == 28_479 && beer.columns.count == 9)
        let full = try PrefixHitRate(table: beer, ordering: identity(beer))
        #expect(full.totalChars == refs["beer_total_chars"] as? Int)
        let head = PrefixTable(columns: beer.columns, rows: Array(beer.rows.prefix(1000)))
        let rate = try PrefixHitRate(table: head, ordering: identity(head))
        let expected = refs["beer_head1000_original"] as! [Double]
        #expect(rate.hitChars == Int(expected[0]))
        #expect(abs(rate.phr * 100 - expected[1]) < 1e-9)
    }

    @Test(.needsReferenceData) func ggrReachesSeventyPercentOnBeer() throws {
        let beer = try PrefixTableFile.load(from: TestPaths.referenceData().appendingPathComponent("prefix/beer.csv"))
        let rate = try PrefixHitRate(table: beer, ordering: BuiltinPrefixPolicy.ggr.reorder(beer))
        #expect(rate.phr >= 0.70, "GGR reached \(rate.phr)")
        #expect(rate.totalChars == 2_271_333)
    }

    /// The research tables carry the public evaluator's merge groups in their manifest, for
    /// their held-out twins too, and every group names columns of its table.
    @Test func theResearchManifestNamesEachTablesMergeGroups() throws {
        let manifest = try PrefixTableManifest.load(from: TestPaths.repositoryRoot.appendingPathComponent("traces/prefix/research/manifest.json"))
        #expect(manifest.tables.map(\.file).sorted() == ["BIRD.csv", "PDMX.csv", "beer.csv", "movies.csv", "products.csv"])
        #expect(manifest.tables.reduce(0) { $0 + $1.rows } >= 100_000)
        let catalog = try #require(manifest.mergeCatalog)
        #expect(catalog.datasets["movies.csv"] == [["movieinfo", "movietitle", "rottentomatoeslink"]])
        #expect(catalog.datasets["movies-heldout.csv"] == catalog.datasets["movies.csv"])
        let columns = ["movieinfo", "movietitle", "rottentomatoeslink", "reviewcontent"]
        let table = catalog.applied(to: PrefixTable(columns: columns, rows: [columns]), fileName: "movies-heldout.csv")
        #expect(table.columnMerges == [[0, 1, 2]])
    }

    @Test func theHitRateDoesNotDependOnRowOrderAndMatchesASequentialTrie() throws {
        var rng = SeededGenerator(seed: 4)
        let alphabet = ["a", "ab", "b", "é", "e\u{301}", "abc", ""]
        let rows = (0..<60).map { _ in (0..<3).map { _ in alphabet[rng.nextInt(below: alphabet.count)] } }
        let table = PrefixTable(columns: ["x", "y", "z"], rows: rows)
        let rate = try PrefixHitRate(table: table, ordering: identity(table))
        // The public metric, literally: each row against a trie of all earlier rows.
        var trie: [[UInt32: Int]] = [[:]]
        var hits = 0
        for row in rows {
            var node = 0, matching = true
            for s in row.joined().unicodeScalars {
                if matching, let next = trie[node][s.value] {
                    hits += 1
                    node = next
                } else {
                    matching = false
                    trie.append([:])
                    trie[node][s.value] = trie.count - 1
                    node = trie.count - 1
                }
            }
        }
        #expect(rate.hitChars == hits)
        let shuffled = PrefixOrdering(fieldOrders: identity(table).fieldOrders, rowOrder: Array((0..<60).reversed()))
        #expect(try PrefixHitRate(table: table, ordering: shuffled) == rate)
    }

    @Test func canonicallyEquivalentTextIsNotAPrefixHit() throws {
        // "é" precomposed and decomposed are equal as Swift Strings but share no scalar.
        let table = PrefixTable(columns: ["a"], rows: [["\u{E9}"], ["e\u{301}"]])
        let rate = try PrefixHitRate(table: table, ordering: identity(table))
        #expect(rate.hitChars == 0 && rate.totalChars == 3)
    }

    @Test func orderingsThatAreNotPermutationsAreRejected() {
        let table = PrefixTable(columns: ["a", "b"], rows: [["x", "y"], ["x", "z"]])
        for bad in [
            PrefixOrdering(fieldOrders: [[0, 1]]),
            PrefixOrdering(fieldOrders: [[0, 1], [1, 1]]),
            PrefixOrdering(fieldOrders: [[0, 1], [0]]),
            PrefixOrdering(fieldOrders: [[0, 1], [0, 2]]),
            PrefixOrdering(fieldOrders: [[0, 1], [1, 0]], rowOrder: [0, 0]),
            PrefixOrdering(fieldOrders: [[0, 1], [1, 0]], rowOrder: [1]),
        ] {
            #expect(throws: SimError.self) { _ = try PrefixHitRate(table: table, ordering: bad) }
        }
    }

    @Test func csvIsReadWithRFC4180Quoting() throws {
        let table = try PrefixTableFile.parse("h1,h2\n\"a,b\",\"say \"\"hi\"\"\"\n,x\r\n\"multi\nline\",y\n", name: "t.csv")
        #expect(table.rows == [["a,b", "say \"hi\""], ["", "x"], ["multi\nline", "y"]])
        for (bad, reason) in [("h1,h2\na\n", "has 1 fields"), ("h1,h2\n\"open,x\n", "never closed"), ("", "no header"),
                              ("a,b\nk,\"x\"y\nk,z\n", "line 2: text after a closing quote"),
                              ("a\n\"x\"y\nz\n", "text after a closing quote"), ("a,b\nx,\"y\n", "line 2: a quoted field is never closed"),
                              ("a,b\nx\"y,z\n", "a quote inside an unquoted field")] {
            do {
                _ = try PrefixTableFile.parse(bad, name: "t.csv")
                Issue.record("accepted \(bad)")
            } catch {
                #expect("\(error)".contains(reason), "\(error)")
            }
        }
    }

    @Test func ggrKeepsEveryRowsCells() throws {
        let folder = TestPaths.repositoryRoot.appendingPathComponent("traces/prefix")
        for name in ["products.csv", "tickets.csv"] {
            let table = try PrefixTableFile.load(from: folder.appendingPathComponent(name))
            let ordering = BuiltinPrefixPolicy.ggr.reorder(table)
            try PrefixHitRate.validate(ordering, for: table)
            let ggr = try PrefixHitRate(table: table, ordering: ordering)
            let original = try PrefixHitRate(table: table, ordering: identity(table))
            #expect(ggr.totalChars == original.totalChars && ggr.hitChars > original.hitChars, "\(name)")
        }
    }

    @Test func committedTablesRegenerateByteForByte() throws {
        let (differing, extra) = try CommittedInputs.mismatches(problem: "prefix") { PrefixTableGenerator(manifest: try PrefixTableManifest.load(from: $0)).files() }
        #expect(differing.isEmpty && extra.isEmpty, "differing \(differing), extra \(extra)")
    }

}
