import CandidateAPI
import Foundation
@testable import Sim
import TestSupport
import Testing

/// Cells as the public LLM-SQL evaluator sees them after pandas reads its CSV: by hand from
/// pandas' rules, and against pandas itself when `SIM_CASCADE_PANDAS_CASES` names the output of
/// `scripts/pandas-cases.py` (`scripts/test.sh` makes it when it can install pandas).
@Suite struct PandasRenderingTests {
    private func rows(_ csv: String) throws -> [[String]] { try PrefixTableFile.parse(csv, name: "t.csv").rows }

    /// One column per rule, each checked against what the rule says by hand.
    @Test func aColumnsTypeDecidesItsCellsText() throws {
        // Integers: zero padding and a sign go. One missing cell makes the column float64.
        #expect(try rows("a,b\n007,x\n+12,y\n") == [["7", "x"], ["12", "y"]])
        #expect(try rows("a,b\n007,x\n,y\n") == [["7.0", "x"], ["", "y"]])
        // Floats: the shortest repr of the parsed value, `.0` kept, exponent past 1e16 or below 1e-4.
        #expect(try rows("a,b\n1.50,x\n1e3,y\n1e16,z\n0.00001,w\n-0.0,v\n") ==
                [["1.5", "x"], ["1000.0", "y"], ["1e+16", "z"], ["1e-05", "w"], ["-0.0", "v"]])
        // One cell that is no number keeps the column as written.
        #expect(try rows("a,b\n007,x\n1e3,y\nabc,z\n") == [["007", "x"], ["1e3", "y"], ["abc", "z"]])
        // Missing spellings are empty in any column; other text is kept, spaces included.
        #expect(try rows("a,b\nNA,x\nnull,y\n  ,z\n") == [["", "x"], ["", "y"], ["  ", "z"]])
        // Booleans print as Python's; with a missing cell they stay booleans in a text column.
        #expect(try rows("a,b\ntrue,x\nFALSE,y\n") == [["True", "x"], ["False", "y"]])
        #expect(try rows("a,b\ntrue,x\n,y\n") == [["True", "x"], ["", "y"]])
        // Infinity spellings; an exponent with no digits is text.
        #expect(try rows("a,b\n-Infinity,x\ninf,y\n") == [["-inf", "x"], ["inf", "y"]])
        #expect(try rows("a,b\n1e,x\n2,y\n") == [["1e", "x"], ["2", "y"]])
    }

    /// A row takes the frame's common type: int64 with float64 columns turns integers into floats;
    /// with a text column each cell keeps its own.
    @Test func aRowOfNumbersOnlyTakesTheirCommonType() throws {
        #expect(try rows("a,b\n1,1.5\n2,2\n") == [["1.0", "1.5"], ["2.0", "2.0"]])
        #expect(try rows("a,b,c\n1,1.5,x\n2,2,y\n") == [["1", "1.5", "x"], ["2", "2.0", "y"]])
        #expect(try rows("a,b\n1,True\n2,False\n") == [["1", "True"], ["2", "False"]])
    }

    /// pandas keeps 17 significant digits and scales by a power of ten: not correctly rounded.
    @Test func floatsBeyondSeventeenDigitsAreParsedAsPandasDoes() throws {
        #expect(try rows("a,b\n3.14159265358979323846,x\n") == [["3.1415926535897927", "x"]])
        #expect(try rows("a,b\n9223372036854775808,x\n1.5,y\n") == [["9.223372036854778e+18", "x"], ["1.5", "y"]])
    }

    /// An unsigned column with a missing cell stays text, and its NA spelling stays too.
    @Test func unsignedOverflowRules() throws {
        #expect(try rows("a,b\n9223372036854775808,x\n5,y\n") == [["9223372036854775808", "x"], ["5", "y"]])
        #expect(try rows("a,b\n9223372036854775808,x\nNA,y\n") == [["9223372036854775808", "x"], ["NA", "y"]])
        #expect(try rows("a,b\n-9223372036854775809,x\nNA,y\n") == [["-9223372036854775809", "x"], ["", "y"]])
    }

    /// Columns are typed per chunk of rows (4,096 rows for 200 columns): integers before the
    /// boundary and text after keep their own forms — unless a row holds numbers only, with a
    /// float among them, which `fillna` turns into floats.
    @Test func typesAreInferredPerChunk() throws {
        #expect(PandasTableRendering.chunkRows(columns: 200) == 4096 && PandasTableRendering.chunkRows(columns: 9) == 65536)
        func table(other: String) throws -> [[String]] {
            var lines = [(0..<200).map { "c\($0)" }.joined(separator: ",")]
            lines += (0..<4100).map { r in ([r < 4096 ? "007" : "abc"] + Array(repeating: other, count: 199)).joined(separator: ",") }
            return try rows(lines.joined(separator: "\n") + "\n")
        }
        let text = try table(other: "x")
        #expect(text[0][0] == "7" && text[4095][0] == "7" && text[4096][0] == "abc")
        let numbers = try table(other: "1.5")
        #expect(numbers[0].prefix(2) == ["7.0", "1.5"] && numbers[4096].prefix(2) == ["abc", "1.5"])
    }

    @Test func pythonFloatText() {
        let cases: [(Double, String)] = [(1, "1.0"), (0.1, "0.1"), (1e15, "1000000000000000.0"), (1e16, "1e+16"), (1.5e300, "1.5e+300"),
                                         (0.0001, "0.0001"), (Double.leastNonzeroMagnitude, "5e-324"), (-2.5e-7, "-2.5e-07"), (123456789.125, "123456789.125")]
        for (x, text) in cases { #expect(PythonFloatText.string(x) == text) }
    }

    struct PandasCases: Decodable {
        struct Case: Decodable {
            var csv: String
            var rows: [[String]]
            /// Only the first columns are recorded (the chunk-boundary tables).
            var first_columns: Int?
        }
        var pandas: String
        var cases: [Case]
    }

    static let pandasCases = ProcessInfo.processInfo.environment["SIM_CASCADE_PANDAS_CASES"]

    @Test(.enabled(if: pandasCases != nil, "needs SIM_CASCADE_PANDAS_CASES (scripts/test.sh sets it when pandas installs)"))
    func everyCaseRendersAsPandasDoes() throws {
        let file = try JSONDecoder().decode(PandasCases.self, from: Data(contentsOf: URL(fileURLWithPath: Self.pandasCases!)))
        #expect(file.cases.count > 100)
        var failures = 0
        for c in file.cases where failures < 5 {
            var ours = try rows(c.csv)
            if let n = c.first_columns { ours = ours.map { Array($0.prefix(n)) } }
            if ours != c.rows {
                failures += 1
                Issue.record("pandas \(file.pandas) differs on:\n\(c.csv.prefix(400))\npandas: \(c.rows.prefix(12))\nours:   \(ours.prefix(12))")
            }
        }
    }
}

extension PandasRenderingTests {
    /// The committed generated tables (text only) and beer.csv read the same rendered as written:
    /// their exact values and the committed fidelity reports do not move.
    @Test func theGeneratedTablesAreUnchangedByRendering() throws {
        let folder = TestPaths.repositoryRoot.appendingPathComponent("traces/prefix")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".csv") }
        #expect(names.count == 4)
        for name in names {
            let text = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
            #expect(try PrefixTableFile.parse(text, name: name) == PrefixTableFile.parseFields(text, name: name), "\(name)")
        }
    }

    @Test(.needsReferenceData) func beerIsUnchangedByRendering() throws {
        let text = try String(contentsOf: TestPaths.referenceData().appendingPathComponent("prefix/beer.csv"), encoding: .utf8)
        #expect(try PrefixTableFile.parse(text, name: "beer.csv") == PrefixTableFile.parseFields(text, name: "beer.csv"))
    }
}

/// The column-merge specification of the public evaluator's datasets reaches the tables.
@Suite struct PrefixColumnMergeTests {
    @Test(.needsReferenceData) func beerCarriesItsMergeGroupAndTheEvaluatorsArguments() throws {
        let data = try TestPaths.referenceData()
        let merges = try PrefixColumnMergeCatalog.load(from: data.appendingPathComponent("prefix/col-merge.json"))
        #expect(merges.reorderArguments == .publicEvaluator)
        let beer = try PrefixTableFile.load(from: data.appendingPathComponent("prefix/beer.csv"), merges: merges)
        #expect(beer.columnMerges == [[8, 6]] && beer.columns[8] == "beer/beerId" && beer.columns[6] == "beer/name")
        // A generated table named like a dataset but without its columns carries no group.
        let products = try PrefixTableFile.load(from: TestPaths.repositoryRoot.appendingPathComponent("traces/prefix/products.csv"),
                                                merges: merges)
        #expect(products.columnMerges.isEmpty && products.reorderArguments == .publicEvaluator)
    }

    @Test func groupsNamingAMissingColumnAreLeftOut() {
        let catalog = PrefixColumnMergeCatalog(datasets: ["t.csv": [["b", "a"], ["a", "zz"]]],
                                               reorderArguments: PrefixReorderArguments(earlyStop: 1, distinctValueThreshold: 0.5,
                                                                                        rowStop: 1, colStop: 1))
        let table = catalog.applied(to: PrefixTable(columns: ["a", "b"], rows: [["1", "2"]]), fileName: "t.csv")
        #expect(table.columnMerges == [[1, 0]] && table.reorderArguments.earlyStop == 1)
        #expect(catalog.applied(to: table, fileName: "other.csv").columnMerges.isEmpty)
    }
}
