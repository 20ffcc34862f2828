import CSV
@testable import Sim
import SimCore
import Testing

/// The one-pass byte reader against CSV.swift (what read the tables before) on seeded random
/// well-formed CSV: quoted and unquoted fields, delimiters, quotes and line breaks inside
/// quotes, empty fields, non-ASCII text, and `\n`, `\r\n` and `\r` line ends.
@Suite struct CSVRecordsTests {
    static func randomCSV(_ rng: inout SeededGenerator) -> String {
        let pieces = ["a", "bc", "", " ", "é", "日本", "1.5", "x y", ",", "\"", "\n", "\r\n", "\r", "''"]
        let columns = 1 + rng.nextInt(below: 4), rows = rng.nextInt(below: 6)
        var text = ""
        for r in 0...rows {
            var fields: [String] = []
            for _ in 0..<columns {
                var field = (0..<rng.nextInt(below: 4)).map { _ in pieces[rng.nextInt(below: pieces.count)] }.joined()
                let needsQuotes = field.contains(where: { ",\"\n\r".contains($0) }) || (columns == 1 && field.isEmpty)
                if needsQuotes || rng.nextInt(below: 5) == 0 {
                    field = "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
                }
                fields.append(field)
            }
            text += fields.joined(separator: ",")
            if r < rows || rng.nextInt(below: 2) == 0 { text += ["\n", "\r\n", "\r"][rng.nextInt(below: 3)] }
        }
        return text
    }

    @Test func readsWhatCSVSwiftReads() throws {
        var rng = SeededGenerator(seed: 4180)
        for _ in 0..<3000 {
            let text = Self.randomCSV(&rng)
            let reader = try CSVReader(string: text, hasHeaderRow: false)
            var expected: [[String]] = []
            while let row = reader.next() { expected.append(row) }
            #expect(try CSVRecords.parse(text) == expected, "\(Escaped.value(text))")
        }
    }

    @Test func whatRFC4180ForbidsIsRefusedWithItsLine() throws {
        for (text, line, reason) in [("a,b\nx\"y,z\n", 2, "a quote inside an unquoted field"), ("a\n\"x\"y\n", 2, "text after a closing quote"),
                                     ("a,b\nx,\"y\n\nz", 2, "a quoted field is never closed")] {
            #expect(throws: CSVRecords.Malformed(line: line, reason: reason)) { try CSVRecords.parse(text) }
        }
        #expect(try CSVRecords.parse("") == [] && CSVRecords.parse("a\n") == [["a"]] && CSVRecords.parse("a\n\n") == [["a"], [""]])
    }
}
