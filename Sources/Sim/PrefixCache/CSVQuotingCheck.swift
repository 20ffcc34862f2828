/// Rejects what RFC 4180 forbids but the CSV reader tolerates silently (it would swallow the rest
/// of the file into one cell): a quote inside an unquoted field, anything but a delimiter or a
/// line break after a closing quote, and a quoted field left open at the end of the input.
enum CSVQuotingCheck {
    /// - Returns: `nil` when the quoting is well formed, else the 1-based line and a reason.
    /// - Complexity: O(characters), one pass over the Unicode scalars.
    static func problem(in text: String) -> (line: Int, reason: String)? {
        enum State { case fieldStart, unquoted, quoted, quoteInQuoted }
        var state = State.fieldStart
        var line = 1, openedOn = 1
        for scalar in text.unicodeScalars {
            switch state {
            case .fieldStart, .unquoted:
                if scalar == "\"" {
                    guard state == .fieldStart else { return (line, "a quote inside an unquoted field") }
                    state = .quoted
                    openedOn = line
                } else if scalar == "," || scalar == "\n" || scalar == "\r" {
                    state = .fieldStart
                } else {
                    state = .unquoted
                }
            case .quoted:
                if scalar == "\"" { state = .quoteInQuoted }
            case .quoteInQuoted:
                if scalar == "\"" {
                    state = .quoted  // an escaped quote
                } else if scalar == "," || scalar == "\n" || scalar == "\r" {
                    state = .fieldStart
                } else {
                    return (line, "text after a closing quote")
                }
            }
            if scalar == "\n" { line += 1 }
        }
        return state == .quoted ? (openedOn, "a quoted field is never closed") : nil
    }
}
