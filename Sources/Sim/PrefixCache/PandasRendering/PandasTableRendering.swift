/// A table's cells as the public LLM-SQL evaluator sees them: `pd.read_csv(file)` (pandas 2.x,
/// C engine, defaults), then per row `row.fillna("").astype(str)` as its prefix metric does.
///
/// Three pandas behaviours decide a cell's text besides its own characters:
/// - **The column's type.** A column of integers renders `007` as `7`; one missing cell makes
///   it float64 (`7.0`); one non-numeric cell keeps the whole column as written. `1.50` → `1.5`,
///   `1e3` → `1000.0`, missing spellings (`NA`, `null`, the empty cell, …) → empty text.
/// - **Chunks.** With `low_memory` (the default) pandas types a column per chunk of rows
///   (a power of two near 2^19 / columns) and then joins the chunks: integers and text mixed
///   across chunks stay as parsed in each (a `DtypeWarning` in pandas).
/// - **The row's type.** `iterrows` gives each row the frame's common type: a frame of int64
///   and float64 columns only turns every integer into a float (`7.0`); and `fillna` turns a row
///   of the `object` type that holds numbers only, a float among them, into floats too.
public enum PandasTableRendering {
    /// The rows pandas reads in one chunk for a table of `columns` columns.
    /// - Complexity: O(log columns).
    public static func chunkRows(columns: Int) -> Int {
        let heuristic = (1 << 20) / max(columns, 1)
        var lines = 1
        while lines * 2 < heuristic { lines *= 2 }
        return lines
    }

    /// Every cell of `rows` (each as long as `columnCount`) rendered as the evaluator renders it.
    /// - Complexity: O(total characters).
    public static func render(rows: [[String]], columnCount: Int) -> [[String]] {
        guard !rows.isEmpty, columnCount > 0 else { return rows }
        let chunk = chunkRows(columns: columnCount)
        var columns: [PandasColumnInference.Column] = []
        columns.reserveCapacity(columnCount)
        for c in 0..<columnCount {
            var parts: [PandasColumnInference.Column] = []
            var start = 0
            while start < rows.count {
                let end = min(start + chunk, rows.count)
                parts.append(PandasColumnInference.infer(rows[start..<end].map { $0[c] }))
                start = end
            }
            columns.append(concatenate(parts))
        }
        let rowType = commonType(columns.map(\.dtype))
        // Rewrite only the columns whose text changes: most tables are mostly text.
        var rendered = rows
        for (c, column) in columns.enumerated() where changesText(column, raw: { rows[$0][c] }) {
            for r in rows.indices { rendered[r][c] = text(column.values[r], in: rowType) }
        }
        // `fillna` on an `object` row silently downcasts one that holds numbers only: with a float
        // among them, every integer prints as a float. Only a column typed differently across
        // chunks puts numbers in an `object` row, so most tables skip this.
        if rowType == .object, columns.contains(where: { $0.dtype == .object && $0.values.contains(where: isNumber) }) {
            for r in rows.indices {
                let values = columns.map { $0.values[r] }
                guard values.allSatisfy(isNumber), values.contains(where: isFloat) else { continue }
                rendered[r] = values.map { text($0, in: .float64) }
            }
        }
        return rendered
    }

    static func isNumber(_ value: PandasColumnInference.Value) -> Bool {
        switch value {
        case .int, .uint, .float: return true
        case .bool, .text, .missing: return false
        }
    }

    static func isFloat(_ value: PandasColumnInference.Value) -> Bool {
        if case .float = value { return true }
        return false
    }

    /// Whether a column renders differently from its raw cells: a typed column, or text with a
    /// missing spelling other than the empty cell.
    static func changesText(_ column: PandasColumnInference.Column, raw: (Int) -> String) -> Bool {
        guard column.dtype == .object else { return true }
        return column.values.indices.contains { r in
            switch column.values[r] {
            case .text: return false
            case .missing: return !raw(r).isEmpty
            default: return true
            }
        }
    }

    /// pandas' join of one column's chunks: one dtype if they agree; otherwise numpy's promotion
    /// of the values (a chunk of text makes every value keep its own type), and a mix with bool
    /// becomes `object` holding the promoted numbers.
    static func concatenate(_ parts: [PandasColumnInference.Column]) -> PandasColumnInference.Column {
        let dtypes = parts.map(\.dtype)
        let values = parts.flatMap(\.values)
        guard let first = dtypes.first, !dtypes.allSatisfy({ $0 == first }) else {
            return PandasColumnInference.Column(dtype: dtypes.first ?? .object, values: values)
        }
        if dtypes.contains(.object) { return PandasColumnInference.Column(dtype: .object, values: values) }
        let promoted = numericPromotion(Set(dtypes))
        let converted = values.map { convert($0, to: promoted) }
        return PandasColumnInference.Column(dtype: dtypes.contains(.bool) ? .object : promoted, values: converted)
    }

    /// numpy's result type of numeric dtypes: bool < int64 < float64; int64 with uint64 is float64.
    static func numericPromotion(_ dtypes: Set<PandasColumnInference.DType>) -> PandasColumnInference.DType {
        if dtypes.contains(.float64) || (dtypes.contains(.int64) && dtypes.contains(.uint64)) { return .float64 }
        if dtypes.contains(.int64) { return .int64 }
        if dtypes.contains(.uint64) { return .uint64 }
        return .bool
    }

    /// The dtype of a frame's rows (`DataFrame.values`): one dtype if all agree; bool or text
    /// with anything else is `object`; mixed numbers are float64.
    static func commonType(_ dtypes: [PandasColumnInference.DType]) -> PandasColumnInference.DType {
        let set = Set(dtypes)
        if set.count == 1 { return set.first! }
        if set.contains(.object) || set.contains(.bool) { return .object }
        return numericPromotion(set)
    }

    static func convert(_ value: PandasColumnInference.Value, to dtype: PandasColumnInference.DType) -> PandasColumnInference.Value {
        switch (value, dtype) {
        case (.bool(let b), .int64): return .int(b ? 1 : 0)
        case (.bool(let b), .uint64): return .uint(b ? 1 : 0)
        case (.bool(let b), .float64): return .float(b ? 1 : 0)
        case (.int(let v), .float64): return .float(Double(v))
        case (.uint(let v), .float64): return .float(Double(v))
        default: return value
        }
    }

    /// `str()` of a value in a row of `rowType`, after `fillna("")`.
    static func text(_ value: PandasColumnInference.Value, in rowType: PandasColumnInference.DType) -> String {
        switch convert(value, to: rowType == .float64 ? .float64 : .object) {
        case .int(let v): return String(v)
        case .uint(let v): return String(v)
        case .float(let v): return v.isNaN ? "" : PythonFloatText.string(v)
        case .bool(let b): return b ? "True" : "False"
        case .text(let s): return s
        case .missing: return ""
        }
    }
}
