import CandidateAPI
import Foundation
import SimCore

/// Reads tables from CSV (RFC 4180 quoting; the first line is the header, not a row). A cell is
/// its text as the public LLM-SQL evaluator sees it after `pd.read_csv` (`PandasTableRendering`):
/// `007` in a column of integers is `7`, `NA` and the empty field are empty, text stays as written.
public enum PrefixTableFile {
    /// - Throws: `SimError` naming the file and the problem (unreadable, malformed quoting, a row
    ///   with the wrong number of fields, no header).
    /// - Complexity: O(characters).
    /// With `merges`, the table carries its dataset's merge groups (looked up by file name).
    public static func load(from url: URL, merges: PrefixColumnMergeCatalog? = nil) throws -> PrefixTable {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw SimError.fileNotFound(url.path, tried: [url.path])
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw SimError.malformedFile(url.path, reason: "not UTF-8 text")
        }
        let table = try parse(text, name: url.path)
        return merges?.applied(to: table, fileName: url.lastPathComponent) ?? table
    }

    /// Parses CSV text and renders its cells as pandas does.
    /// - Complexity: O(characters).
    public static func parse(_ text: String, name: String) throws -> PrefixTable {
        let raw = try parseFields(text, name: name)
        return PrefixTable(columns: raw.columns, rows: PandasTableRendering.render(rows: raw.rows, columnCount: raw.columns.count))
    }

    /// Parses CSV text into its fields as written (after unquoting).
    public static func parseFields(_ text: String, name: String) throws -> PrefixTable {
        guard !text.isEmpty else { throw SimError.malformedFile(name, reason: "no header row") }
        var records: [[String]]
        do {
            records = try CSVRecords.parse(text)
        } catch let error as CSVRecords.Malformed {
            throw SimError.malformedFile(name, reason: "line \(error.line): \(error.reason)")
        }
        guard let header = records.first, !(header.count == 1 && header[0].isEmpty) else {
            throw SimError.malformedFile(name, reason: "no header row")
        }
        records.removeFirst()
        for (index, row) in records.enumerated() where row.count != header.count {
            throw SimError.malformedFile(name, reason: "row \(index + 1) has \(row.count) fields, the header \(header.count)")
        }
        return PrefixTable(columns: header, rows: records)
    }
}
