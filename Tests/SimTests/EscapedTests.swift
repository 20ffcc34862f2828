import Sim
import Testing
import SimCore

@Suite struct EscapedTests {
    @Test func controlCharactersAreShownEscaped() {
        #expect(Escaped.line("a\nb\u{0}c\rd\te\u{1B}[0m\u{7F}\u{85}\u{2028}") == "a\\nb\\0c\\rd\\te\\u{1B}[0m\\u{7F}\\u{85}\\u{2028}")
        #expect(Escaped.line("plain – ünïcode ✓") == "plain – ünïcode ✓")
    }

    @Test func longValuesAreCutAroundAnEllipsis() {
        let long = String(repeating: "x", count: 500) + "END"
        let cut = Escaped.value(long)
        #expect(cut.count == Escaped.valueLimit && cut.contains("…") && cut.hasSuffix("END") && cut.hasPrefix("xxx"))
        #expect(Escaped.value("short") == "short")
        #expect(Escaped.path(String(repeating: "/a", count: 100)).count == 200)
    }
}
