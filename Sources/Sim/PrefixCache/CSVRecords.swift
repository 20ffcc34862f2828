/// RFC 4180 records read from UTF-8 bytes in one pass: fields separated by `,`, records ended
/// by `\n`, `\r\n` or `\r`, a field quoted with `"` (a doubled `""` inside it is one quote) may
/// hold delimiters and line breaks. What the RFC forbids is refused, never swallowed: a quote
/// inside an unquoted field, anything but a delimiter or a line break after a closing quote,
/// and a quoted field left open at the end.
enum CSVRecords {
    struct Malformed: Error, Equatable {
        /// The 1-based line (counting `\n`).
        var line: Int
        var reason: String
    }

    /// Every record of `text`; a final line break ends the last record, it does not start one.
    /// - Throws: `Malformed`.
    /// - Complexity: O(bytes).
    static func parse(_ text: String) throws -> [[String]] {
        var text = text
        return try text.withUTF8 { try parse(bytes: $0) }
    }

    static func parse(bytes: UnsafeBufferPointer<UInt8>) throws -> [[String]] {
        let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ","), lf = UInt8(ascii: "\n"), cr = UInt8(ascii: "\r")
        let n = bytes.count
        var records: [[String]] = []
        var record: [String] = []
        var line = 1
        var i = 0
        guard n > 0 else { return [] }
        while true {
            // One field, starting at i.
            var field: String
            if i < n && bytes[i] == quote {
                let openedOn = line
                i += 1
                var start = i
                var unescaped: [UInt8]?
                while true {
                    guard i < n else { throw Malformed(line: openedOn, reason: "a quoted field is never closed") }
                    let b = bytes[i]
                    if b == quote {
                        if i + 1 < n && bytes[i + 1] == quote {
                            unescaped = (unescaped ?? []) + UnsafeBufferPointer(rebasing: bytes[start...i])
                            i += 2
                            start = i
                            continue
                        }
                        break
                    }
                    if b == lf { line += 1 }
                    i += 1
                }
                let tail = UnsafeBufferPointer(rebasing: bytes[start..<i])
                field = unescaped.map { String(decoding: $0 + tail, as: UTF8.self) } ?? String(decoding: tail, as: UTF8.self)
                i += 1  // the closing quote
                if i < n && bytes[i] != comma && bytes[i] != lf && bytes[i] != cr {
                    throw Malformed(line: line, reason: "text after a closing quote")
                }
            } else {
                let start = i
                while i < n {
                    let b = bytes[i]
                    if b == comma || b == lf || b == cr { break }
                    if b == quote { throw Malformed(line: line, reason: "a quote inside an unquoted field") }
                    i += 1
                }
                field = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self)
            }
            record.append(field)
            // What ends the field.
            if i < n && bytes[i] == comma {
                i += 1
                continue
            }
            records.append(record)
            record = []
            if i >= n { break }
            if bytes[i] == cr && i + 1 < n && bytes[i + 1] == lf { i += 1 }
            if bytes[i] == lf { line += 1 }
            i += 1
            if i >= n { break }  // a final line break ends the last record
        }
        return records
    }
}
