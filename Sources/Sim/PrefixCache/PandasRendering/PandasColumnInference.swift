/// How pandas 2.x's `read_csv` (C engine, default options) types one column of one chunk of
/// rows: int64, else uint64 after an int64 overflow, else float64, else bool, else the text.
///
/// Missing cells (its default NA spellings, the empty cell among them) make an integer column
/// float64 and a bool column `object`. pandas' quirks are kept: in an integer column with a
/// missing cell, -9223372036854775808 is missing too (pandas' own marker for missing integers);
/// an unsigned column holding a missing cell or a negative value stays text with the NA
/// spellings *not* read as missing; a negative overflow stays text.
enum PandasColumnInference {
    /// What pandas holds for a cell after parsing.
    enum Value: Equatable {
        case int(Int64)
        case uint(UInt64)
        case float(Double)
        case bool(Bool)
        case text(String)
        case missing
    }

    /// A column's (or a chunk's) numpy dtype.
    enum DType: Equatable {
        case int64, uint64, float64, bool, object
    }

    struct Column {
        var dtype: DType
        var values: [Value]
    }

    /// pandas' default NA spellings (`pandas._libs.parsers.STR_NA_VALUES`), matched exactly.
    static let missingSpellings: Set<String> = [
        "", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN", "<NA>", "N/A", "NA",
        "NULL", "NaN", "None", "n/a", "nan", "null",
    ]
    static let trueSpellings: Set<String> = ["True", "TRUE", "true"]
    static let falseSpellings: Set<String> = ["False", "FALSE", "false"]

    /// Whether pandas reads `cell` as missing (every spelling is at most 8 bytes: most cells are
    /// decided without hashing).
    @inline(__always)
    static func isMissing(_ cell: String) -> Bool { cell.utf8.count <= 8 && missingSpellings.contains(cell) }

    /// `body` over the UTF-8 bytes of `cell`, without copying a native string.
    @inline(__always)
    static func withBytes<R>(_ cell: String, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        var cell = cell
        return cell.withUTF8(body)
    }

    /// Types one chunk of one column.
    /// - Complexity: O(total characters); a text column usually stops each attempt at its first cell.
    static func infer(_ cells: [String]) -> Column {
        let missing = cells.map(isMissing)
        let missingCount = missing.lazy.filter { $0 }.count
        let text = { (filterMissing: Bool) -> Column in
            Column(dtype: .object, values: zip(cells, missing).map { filterMissing && $1 ? .missing : .text($0) })
        }
        // int64, in order until the first failure, whose kind decides what comes next.
        var ints: [Int64] = []
        ints.reserveCapacity(cells.count)
        var integerFailure: PandasNumberParsing.IntegerToken?
        for (cell, isMissing) in zip(cells, missing) {
            if isMissing { ints.append(0); continue }
            let parsed = withBytes(cell, PandasNumberParsing.int64)
            guard case .value(let v) = parsed else { integerFailure = parsed; break }
            ints.append(v)
        }
        switch integerFailure {
        case nil:
            if missingCount == 0 { return Column(dtype: .int64, values: ints.map { .int($0) }) }
            // pandas marks missing integers with Int64.min before making the column float64, so
            // a real Int64.min becomes missing too.
            return Column(dtype: .float64, values: zip(ints, missing).map { $1 || $0 == .min ? .missing : .float(Double($0)) })
        case .overflow?:
            var uints: [UInt64] = [], sawSigned = false, sawUnsigned = false, notInteger = false
            for (cell, isMissing) in zip(cells, missing) {
                if isMissing { uints.append(0); continue }
                switch withBytes(cell, PandasNumberParsing.uint64) {
                case .value(let v):
                    uints.append(v)
                    if v > UInt64(Int64.max) { sawUnsigned = true }
                case .negative: sawSigned = true; uints.append(0)
                case .overflow: return text(true)
                case .invalid: notInteger = true
                }
                if notInteger { break }
            }
            if !notInteger {
                if sawUnsigned && (sawSigned || missingCount > 0) { return text(false) }
                if sawSigned { return text(true) }
                return Column(dtype: .uint64, values: uints.map { .uint($0) })
            }
        default:
            break
        }
        var floats: [Value] = []
        floats.reserveCapacity(cells.count)
        for (cell, isMissing) in zip(cells, missing) {
            if isMissing { floats.append(.missing); continue }
            guard let v = withBytes(cell, PandasNumberParsing.double) else { floats = []; break }
            floats.append(.float(v))
        }
        if floats.count == cells.count && !cells.isEmpty { return Column(dtype: .float64, values: floats) }
        var bools: [Value] = []
        for (cell, isMissing) in zip(cells, missing) {
            if isMissing { bools.append(.missing) } else if trueSpellings.contains(cell) { bools.append(.bool(true)) } else if falseSpellings.contains(cell) { bools.append(.bool(false)) } else { return text(true) }
        }
        return Column(dtype: missingCount > 0 ? .object : .bool, values: bools)
    }
}
