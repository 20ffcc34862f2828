/// The one way text from input reaches a message: every error is one line on a terminal, so a
/// value read from a file or an option may not break it, ring it, or move its cursor.
public enum Escaped {
    /// The longest value shown whole; longer ones keep their start and end around an ellipsis.
    public static let valueLimit = 120
    /// Paths are cut later: a deep but real path should stay whole.
    public static let pathLimit = 400

    /// A path from input, escaped and cut at `pathLimit`.
    public static func path(_ text: String) -> String { value(text, limit: pathLimit) }

    /// `text` with control characters escaped (`\n`, `\r`, `\t`, `\0`, else `\u{1B}`) and cut to
    /// `limit` characters around a `…` — for a value quoted from input.
    /// - Complexity: O(n).
    public static func value(_ text: String, limit: Int = valueLimit) -> String {
        let escaped = line(text)
        guard escaped.count > limit, limit >= 3 else { return escaped }
        let head = (limit - 1) * 2 / 3, tail = limit - 1 - head
        return escaped.prefix(head) + "…" + escaped.suffix(tail)
    }

    /// `text` with control characters escaped and nothing cut — for a whole message.
    /// - Complexity: O(n).
    public static func line(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isControl) else { return text }
        var out = ""
        out.reserveCapacity(text.utf8.count + 8)
        for scalar in text.unicodeScalars {
            guard isControl(scalar) else { out.unicodeScalars.append(scalar); continue }
            switch scalar {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\0": out += "\\0"
            default: out += "\\u{\(String(scalar.value, radix: 16, uppercase: true))}"
            }
        }
        return out
    }

    /// C0 and C1 controls, DEL, and the Unicode line and paragraph separators.
    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || scalar.value == 0x2028 || scalar.value == 0x2029
    }
}
