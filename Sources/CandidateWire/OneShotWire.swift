// Protocol of the one-shot problems (EPLB, prefix, transactions): each request carries one
// problem instance, each answer one solution; a fresh candidate instance solves each request.
//
// request := u32 length, u8 opcode (1 = solve, 2 = end), instance
// answer  := u32 length, solution
//
// EPLB instance:   u32 layers, u32 experts, u32 replicas, u32 groups, u32 nodes, u32 gpus,
//                  layers × experts f64          solution: u32 rows, rows × (u32 n, n × i32)
// Prefix instance: u32 columns, u32 rows, columns × string, rows × columns × string
//                  solution: u32 rows, rows × (u32 n, n × i32), u8 hasRowOrder, [u32 n, n × i32]
// Txn instance:    u32 transactions, u32 keys, u32 seed low, u32 seed high,
//                  transactions × (u32 ops, ops × (u8 kind, i32 key))
//                  solution: u32 n, n × i32
// string := u32 byte count, UTF-8 bytes

import CandidateAPI

public enum OneShotWire {
    public static let solveOpcode: UInt8 = 1
    public static let endOpcode: UInt8 = 2

    /// Starts a request frame (length patched by `finish`).
    @inlinable
    public static func begin(_ writer: inout WireWriter) {
        writer.removeAll()
        writer.u32(0)
        writer.u8(solveOpcode)
    }

    @inlinable
    public static func finish(_ writer: inout WireWriter) {
        writer.patchU32(UInt32(writer.count - 4), at: 0)
    }

    public static func encodeEnd(into writer: inout WireWriter) {
        writer.removeAll()
        writer.u32(1)
        writer.u8(endOpcode)
    }

    /// Nested integer arrays (the answers' common shape), sizes bounded by the input.
    @inlinable
    public static func writeRows(_ rows: [[Int]], into writer: inout WireWriter) {
        writer.u32(UInt32(truncatingIfNeeded: rows.count))
        for row in rows {
            writer.u32(UInt32(truncatingIfNeeded: row.count))
            for value in row { writer.i32(Int32(truncatingIfNeeded: value)) }
        }
    }

    @inlinable
    public static func readRows(_ reader: inout WireReader, maxRows: Int, maxPerRow: Int) -> [[Int]]? {
        guard let count = reader.u32().map(Int.init), count <= maxRows else { return nil }
        var rows: [[Int]] = []
        rows.reserveCapacity(count)
        for _ in 0..<count {
            guard let n = reader.u32().map(Int.init), n <= maxPerRow, n * 4 <= reader.remaining else { return nil }
            var row: [Int] = []
            row.reserveCapacity(n)
            for _ in 0..<n {
                guard let v = reader.i32() else { return nil }
                row.append(Int(v))
            }
            rows.append(row)
        }
        return rows
    }

    // MARK: EPLB

    @inlinable
    public static func encode(_ input: EPLBInput, into writer: inout WireWriter) {
        begin(&writer)
        for v in [input.layers, input.experts, input.replicas, input.groups, input.nodes, input.gpus] {
            writer.u32(UInt32(v))
        }
        for layer in input.weights { for w in layer { writer.f64(w) } }
        finish(&writer)
    }

    @inlinable
    public static func decodeEPLB(_ reader: inout WireReader) -> EPLBInput? {
        guard let layers = reader.u32().map(Int.init), let experts = reader.u32().map(Int.init),
              let replicas = reader.u32().map(Int.init), let groups = reader.u32().map(Int.init),
              let nodes = reader.u32().map(Int.init), let gpus = reader.u32().map(Int.init),
              // A layer of no experts still costs an array: count it as one cell.
              case let (cells, overflow) = layers.multipliedReportingOverflow(by: max(experts, 1)), !overflow,
              cells <= reader.remaining / 8 else { return nil }
        var weights: [[Double]] = []
        for _ in 0..<layers {
            var layer: [Double] = []
            layer.reserveCapacity(experts)
            for _ in 0..<experts { layer.append(reader.f64()!) }
            weights.append(layer)
        }
        return EPLBInput(weights: weights, replicas: replicas, groups: groups, nodes: nodes, gpus: gpus)
    }

    // MARK: Prefix

    @inlinable
    public static func encode(_ table: PrefixTable, into writer: inout WireWriter) {
        begin(&writer)
        writer.u32(UInt32(table.columns.count))
        writer.u32(UInt32(table.rows.count))
        for name in table.columns { writer.string(name) }
        for row in table.rows { for cell in row { writer.string(cell) } }
        writer.u32(UInt32(table.columnMerges.count))
        for group in table.columnMerges {
            writer.u32(UInt32(group.count))
            for column in group { writer.u32(UInt32(column)) }
        }
        let arguments = table.reorderArguments
        writer.f64(Double(arguments.earlyStop))
        writer.f64(arguments.distinctValueThreshold)
        writer.u32(UInt32(clamping: arguments.rowStop))
        writer.u32(UInt32(clamping: arguments.colStop))
        finish(&writer)
    }

    @inlinable
    public static func decodePrefix(_ reader: inout WireReader) -> PrefixTable? {
        // Every name and cell has at least its 4-byte length, and a row of no columns still
        // costs an array (counted as one); counts of 2^32 must not overflow.
        guard let columns = reader.u32().map(Int.init), let rows = reader.u32().map(Int.init),
              case let (strings, overflow) = max(columns, 1).multipliedReportingOverflow(by: rows + 1), !overflow,
              strings <= reader.remaining / 4 else { return nil }
        var names: [String] = []
        for _ in 0..<columns {
            guard let name = reader.string() else { return nil }
            names.append(name)
        }
        var cells: [[String]] = []
        cells.reserveCapacity(rows)
        for _ in 0..<rows {
            var row: [String] = []
            row.reserveCapacity(columns)
            for _ in 0..<columns {
                guard let cell = reader.string() else { return nil }
                row.append(cell)
            }
            cells.append(row)
        }
        // Merge groups: each index names a column; no more groups or members than columns.
        guard let groupCount = reader.u32().map(Int.init), groupCount <= columns else { return nil }
        var merges: [[Int]] = []
        for _ in 0..<groupCount {
            guard let size = reader.u32().map(Int.init), size <= columns else { return nil }
            var group: [Int] = []
            for _ in 0..<size {
                guard let column = reader.u32().map(Int.init), column < columns else { return nil }
                group.append(column)
            }
            merges.append(group)
        }
        guard let earlyStop = reader.f64(), earlyStop.isFinite, earlyStop.magnitude < 1e15, let threshold = reader.f64(),
              let rowStop = reader.u32(), let colStop = reader.u32() else { return nil }
        return PrefixTable(columns: names, rows: cells, columnMerges: merges,
                           reorderArguments: PrefixReorderArguments(earlyStop: Int(earlyStop), distinctValueThreshold: threshold,
                                                                    rowStop: Int(rowStop), colStop: Int(colStop)))
    }

    @inlinable
    public static func encode(_ ordering: PrefixOrdering, into writer: inout WireWriter) {
        writer.removeAll()
        writer.u32(0)
        writeRows(ordering.fieldOrders, into: &writer)
        if let rowOrder = ordering.rowOrder {
            writer.u8(1)
            writeRows([rowOrder], into: &writer)
        } else {
            writer.u8(0)
        }
        finish(&writer)
    }

    // MARK: Transactions

    @inlinable
    public static func encode(_ workload: TxnWorkload, into writer: inout WireWriter) {
        begin(&writer)
        writer.u32(UInt32(workload.transactions.count))
        writer.u32(UInt32(workload.keyCount))
        writer.u32(UInt32(truncatingIfNeeded: workload.seed))
        writer.u32(UInt32(truncatingIfNeeded: workload.seed >> 32))
        for ops in workload.transactions {
            writer.u32(UInt32(ops.count))
            for op in ops {
                writer.u8(op.kind.rawValue)
                writer.i32(op.key)
            }
        }
        finish(&writer)
    }

    @inlinable
    public static func decodeTxn(_ reader: inout WireReader) -> TxnWorkload? {
        guard let count = reader.u32().map(Int.init), let keys = reader.u32().map(Int.init),
              let low = reader.u32(), let high = reader.u32(), count * 4 <= reader.remaining else { return nil }
        var transactions: [[TxnOp]] = []
        transactions.reserveCapacity(count)
        for _ in 0..<count {
            guard let n = reader.u32().map(Int.init), n * 5 <= reader.remaining else { return nil }
            var ops: [TxnOp] = []
            ops.reserveCapacity(n)
            for _ in 0..<n {
                guard let raw = reader.u8(), let kind = TxnOpKind(rawValue: raw), let key = reader.i32() else { return nil }
                ops.append(TxnOp(kind: kind, key: key))
            }
            transactions.append(ops)
        }
        return TxnWorkload(transactions: transactions, keyCount: keys, seed: UInt64(high) << 32 | UInt64(low))
    }
}
