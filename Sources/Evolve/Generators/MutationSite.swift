import Foundation
import SimCore

/// A place in one line of an evolve block that the offline generator can change. Sites are found
/// by a lexical scan, outside comments and string literals; a change that no longer compiles is
/// simply a rejected child (the cascade's compile stage), so the scan may be approximate.
enum MutationSite: Equatable {
    /// A numeric literal: integers +1, −1 or ×2; decimals scaled by a factor in 0.5…2.
    case number(Range<String.Index>)
    /// A comparison operator: `<` ↔ `<=`, `>` ↔ `>=`.
    case comparison(Range<String.Index>)
    /// The right operand of a comparison, scaled by a factor near 1: a threshold moved a little,
    /// which a literal mutation cannot do where the threshold has no literal.
    case threshold(Range<String.Index>)
    /// The two arms of `condition ? a : b`, single tokens each.
    case ternary(Range<String.Index>, Range<String.Index>)
    /// An implicit member (`.spot`) on a `return` line, replaced by another member the block returns.
    case member(Range<String.Index>)

    static let decimalFactors = [0.5, 0.8, 0.9, 0.95, 1.05, 1.1, 1.25, 2.0]
    static let thresholdFactors = [0.9, 0.95, 1.05, 1.1]

    /// The sites of `line`; `members` are the implicit members the block returns.
    /// - Complexity: O(line length²) at worst (operand scans), lines are short.
    static func sites(in line: String, members: Set<String> = []) -> [MutationSite] {
        var sites: [MutationSite] = []
        let code = codeEnd(of: line)
        var i = line.startIndex
        var inString = false
        while i < code {
            let c = line[i]
            if c == "\"" { inString.toggle() }
            if inString { i = line.index(after: i); continue }
            let previous = i > line.startIndex ? line[line.index(before: i)] : " "
            if c.isNumber && !(previous.isLetter || previous == "_" || previous.isNumber || previous == "." || previous == "$") {
                var end = i
                while end < code && (line[end].isNumber || line[end] == "." || line[end] == "_") { end = line.index(after: end) }
                if end < code && line[end].isLetter { i = end; continue }  // e.g. 0x…, 1e9: leave alone
                sites.append(.number(i ..< end))
                i = end
                continue
            }
            if c == "<" || c == ">" {
                let next = line.index(after: i)
                let twoChar = next < code && line[next] == "="
                let isShiftOrArrow = (next < code && (line[next] == c || line[next] == "-")) || previous == c || previous == "-"
                    || previous == "<" || previous == ">"
                let isGeneric = next < code && line[next].isUppercase
                if !isShiftOrArrow && !isGeneric && previous == " " {
                    let end = twoChar ? line.index(after: next) : next
                    sites.append(.comparison(i ..< end))
                    if let operand = rightOperand(in: line, after: end, before: code) { sites.append(.threshold(operand)) }
                }
            }
            if c == "?" && previous == " ", let arms = ternaryArms(in: line, after: line.index(after: i), before: code) {
                sites.append(.ternary(arms.0, arms.1))
            }
            if c == "." && (previous == " " || previous == "(") && line.contains("return"), members.count > 1 {
                var end = line.index(after: i)
                while end < code && (line[end].isLetter || line[end].isNumber) { end = line.index(after: end) }
                if members.contains(String(line[i ..< end])) { sites.append(.member(i ..< end)) }
            }
            i = line.index(after: i)
        }
        return sites
    }

    /// The line with this site changed; random choices come from `rng`.
    func apply(to line: String, members: Set<String>, rng: inout SeededGenerator) -> String {
        switch self {
        case .comparison(let range):
            let flipped = ["<": "<=", "<=": "<", ">": ">=", ">=": ">"][String(line[range])] ?? String(line[range])
            return line.replacingCharacters(in: range, with: flipped)
        case .number(let range):
            let text = line[range].replacingOccurrences(of: "_", with: "")
            if !text.contains("."), let n = Int(text) {
                let replacement = [n + 1, max(0, n - 1), n * 2][rng.nextInt(below: 3)]
                return line.replacingCharacters(in: range, with: String(replacement))
            }
            guard let x = Double(text) else { return line }
            let factor = Self.decimalFactors[rng.nextInt(below: Self.decimalFactors.count)]
            return line.replacingCharacters(in: range, with: Self.decimal(x * factor))
        case .threshold(let range):
            let operand = String(line[range])
            let factor = Self.decimal(Self.thresholdFactors[rng.nextInt(below: Self.thresholdFactors.count)])
            let simple = operand.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." }
            return line.replacingCharacters(in: range, with: simple ? "\(operand) * \(factor)" : "(\(operand)) * \(factor)")
        case .ternary(let a, let b):
            return String(line[..<a.lowerBound]) + line[b] + line[a.upperBound ..< b.lowerBound] + line[a] + line[b.upperBound...]
        case .member(let range):
            let others = members.subtracting([String(line[range])]).sorted()
            guard !others.isEmpty else { return line }
            return line.replacingCharacters(in: range, with: others[rng.nextInt(below: others.count)])
        }
    }

    /// Implicit members (`.name`) on the block's `return` lines: the values a policy can answer.
    static func returnedMembers(in body: [String]) -> Set<String> {
        var found = Set<String>()
        for line in body where line.contains("return") {
            let code = line[..<codeEnd(of: line)]
            var i = code.startIndex
            while i < code.endIndex {
                let previous = i > code.startIndex ? code[code.index(before: i)] : " "
                if code[i] == ".", previous == " " || previous == "(" {
                    var end = code.index(after: i)
                    while end < code.endIndex && (code[end].isLetter || code[end].isNumber) { end = code.index(after: end) }
                    if end > code.index(after: i), code[code.index(after: i)].isLowercase { found.insert(String(code[i ..< end])) }
                    i = end
                    continue
                }
                i = code.index(after: i)
            }
        }
        return found
    }

    /// Four significant digits, always written as a decimal so the literal stays a Double.
    static func decimal(_ x: Double) -> String {
        let rounded = Double(String(format: "%.4g", x)) ?? x
        let text = String(rounded)
        return text.contains(".") || text.contains("e") ? text : text + ".0"
    }

    /// Where the code of `line` ends: at a `//` outside a string literal.
    static func codeEnd(of line: String) -> String.Index {
        var inString = false
        var i = line.startIndex
        while i < line.endIndex {
            if line[i] == "\"" { inString.toggle() }
            if !inString && line[i...].hasPrefix("//") { return i }
            i = line.index(after: i)
        }
        return line.endIndex
    }

    /// The comparison's right operand: up to ` {`, `&&`, `||`, ` ?`, `,`, an unmatched `)`, or the
    /// end of the code; nil when it is a bare literal (the number site covers it) or already
    /// ends in a scaling factor.
    static func rightOperand(in line: String, after start: String.Index, before code: String.Index) -> Range<String.Index>? {
        var i = start
        while i < code && line[i] == " " { i = line.index(after: i) }
        let begin = i
        var depth = 0
        while i < code {
            let c = line[i], rest = line[i ..< code]
            if c == "(" || c == "[" { depth += 1 }
            if c == ")" || c == "]" { if depth == 0 { break }; depth -= 1 }
            if depth == 0 && (rest.hasPrefix(" {") || rest.hasPrefix(" &&") || rest.hasPrefix(" ||") || rest.hasPrefix(" ?")
                || c == "," || c == "{" || c == ";") { break }
            i = line.index(after: i)
        }
        var end = i
        while end > begin && line[line.index(before: end)] == " " { end = line.index(before: end) }
        guard end > begin else { return nil }
        let operand = line[begin ..< end]
        if Double(operand.replacingOccurrences(of: "_", with: "")) != nil { return nil }
        if let star = operand.lastIndex(of: "*"), Double(operand[operand.index(after: star)...].trimmingCharacters(in: .whitespaces)) != nil {
            return nil
        }
        return begin ..< end
    }

    /// The arms of a ternary after its `?`: `a : b` with single-token arms, b ending at a space,
    /// `}` or `)` or the end of the code.
    static func ternaryArms(in line: String, after start: String.Index, before code: String.Index)
        -> (Range<String.Index>, Range<String.Index>)? {
        func token(from i: String.Index) -> Range<String.Index>? {
            var end = i
            while end < code && !" :})".contains(line[end]) { end = line.index(after: end) }
            return end > i ? i ..< end : nil
        }
        guard start < code, line[start] == " ", let a = token(from: line.index(after: start)) else { return nil }
        guard line[a.upperBound ..< code].hasPrefix(" : ") else { return nil }
        guard let b = token(from: line.index(a.upperBound, offsetBy: 3)) else { return nil }
        return (a, b)
    }
}
