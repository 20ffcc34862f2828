import Sim
import SimCore

/// Text that came from a candidate, made safe to show next to the evaluator's own output.
public enum CandidateText {
    /// Control characters (escapes, carriage returns, C1 codes) shown escaped (`Escaped.line`),
    /// so the text cannot move the cursor or pass for the evaluator's lines; line breaks are
    /// replaced by `lineBreak` when one is given, else escaped too.
    public static func escaped(_ text: String, lineBreak: String? = nil) -> String {
        guard let lineBreak else { return Escaped.line(text) }
        return text.split(separator: "\n", omittingEmptySubsequences: false).map { Escaped.line(String($0)) }.joined(separator: lineBreak)
    }
}
