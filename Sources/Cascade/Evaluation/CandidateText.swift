/// Text that came from a candidate, made safe to show next to the evaluator's own output.
public enum CandidateText {
    /// Control characters (escapes, carriage returns, C1 codes) shown as `\u{…}`, so the text
    /// cannot move the cursor or pass for the evaluator's lines; line breaks are replaced by
    /// `lineBreak` when one is given, else escaped too.
    public static func escaped(_ text: String, lineBreak: String? = nil) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            if scalar == "\n", let lineBreak {
                out += lineBreak
            } else if scalar.value < 0x20 || scalar.value == 0x7F || (0x80..<0xA0).contains(scalar.value) {
                out += "\\u{\(String(scalar.value, radix: 16))}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
