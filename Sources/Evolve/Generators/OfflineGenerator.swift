import Foundation
import Cascade
import Sim

/// Seeded mutations of the evolve block, written as SEARCH/REPLACE edits: scale a numeric
/// literal (×0.5, ×0.8, ×1.25, ×2; integers ±1 or ×2), or flip a comparison (`<` ↔ `<=`,
/// `>` ↔ `>=`). One to three mutations per child, on different lines. The SEARCH text is the mutated line, widened
/// with its neighbours until it is unique in the block. The same seed and parents give the same
/// children; the RNG state is part of the generator, so a resumed run continues the stream.
public struct OfflineGenerator: ProgramGenerator, Sendable {
    public var rng: SeededGenerator

    public init(seed: UInt64) { rng = SeededGenerator(seed: seed) }

    /// Continues a stream from a saved state.
    public init(rng: SeededGenerator) { self.rng = rng }

    public mutating func propose(_ request: GenerationRequest) throws -> GenerationResponse {
        let block = try EvolveBlock(source: request.parent)
        var body = block.body.map(String.init)
        var edits: [String] = []
        var touched = Set<Int>()  // one mutation per line, so none undoes another
        let wanted = 1 + rng.nextInt(below: 3)
        for _ in 0 ..< 20 where edits.count < wanted {
            let sites = body.indices.filter { !touched.contains($0) }.flatMap { line in Self.sites(in: body[line]).map { (line, $0) } }
            guard !sites.isEmpty else { break }
            let (line, site) = sites[rng.nextInt(below: sites.count)]
            let mutated = mutate(body[line], site)
            guard mutated != body[line] else { continue }
            touched.insert(line)
            let context = Self.uniqueContext(around: line, in: body)
            var changed = body
            changed[line] = mutated
            edits.append("<<<<<<< SEARCH\n" + body[context].joined(separator: "\n") + "\n=======\n"
                + changed[context].joined(separator: "\n") + "\n>>>>>>> REPLACE")
            body = changed
        }
        guard !edits.isEmpty else { throw EvolveError.noEdit }
        return GenerationResponse(text: edits.joined(separator: "\n"), model: "offline")
    }

    /// A place in a line that can be mutated: a numeric literal or a comparison operator.
    enum Site: Equatable {
        case number(Range<String.Index>)
        case comparison(Range<String.Index>)
    }

    /// Sites outside comments and string literals.
    static func sites(in line: String) -> [Site] {
        var sites: [Site] = []
        var i = line.startIndex
        var inString = false
        while i < line.endIndex {
            let c = line[i]
            if c == "\"" { inString.toggle() }
            if inString { i = line.index(after: i); continue }
            if line[i...].hasPrefix("//") { break }
            let previous = i > line.startIndex ? line[line.index(before: i)] : " "
            if c.isNumber && !(previous.isLetter || previous == "_" || previous.isNumber || previous == "." || previous == "$") {
                var end = i
                while end < line.endIndex && (line[end].isNumber || line[end] == "." || line[end] == "_") { end = line.index(after: end) }
                if end < line.endIndex && (line[end].isLetter) { i = end; continue }  // e.g. 0x…, 1e9: leave alone
                sites.append(.number(i ..< end))
                i = end
                continue
            }
            if c == "<" || c == ">" {
                let next = line.index(after: i)
                let twoChar = next < line.endIndex && line[next] == "="
                let isShiftOrArrow = (next < line.endIndex && (line[next] == c || line[next] == "-")) || previous == c || previous == "-"
                    || previous == "<" || previous == ">"
                let isGeneric = next < line.endIndex && line[next].isUppercase
                if !isShiftOrArrow && !isGeneric && previous == " " {
                    sites.append(.comparison(i ..< (twoChar ? line.index(after: next) : next)))
                }
            }
            i = line.index(after: i)
        }
        return sites
    }

    mutating func mutate(_ line: String, _ site: Site) -> String {
        switch site {
        case .comparison(let range):
            let flipped = ["<": "<=", "<=": "<", ">": ">=", ">=": ">"][String(line[range])] ?? String(line[range])
            return line.replacingCharacters(in: range, with: flipped)
        case .number(let range):
            let text = line[range].replacingOccurrences(of: "_", with: "")
            let replacement: String
            if !text.contains("."), let n = Int(text) {
                switch rng.nextInt(below: 3) {
                case 0: replacement = String(n + 1)
                case 1: replacement = String(max(0, n - 1))
                default: replacement = String(n * 2)
                }
            } else if let x = Double(text) {
                let factor = [0.5, 0.8, 1.25, 2.0][rng.nextInt(below: 4)]
                replacement = String(x * factor)
            } else {
                return line
            }
            return line.replacingCharacters(in: range, with: replacement)
        }
    }

    /// The smallest window of lines around `line` that occurs once in `body`, whitespace
    /// normalised as `EditApplier` compares.
    static func uniqueContext(around line: Int, in body: [String]) -> Range<Int> {
        let lines = body.map { Substring($0) }
        var window = line ..< line + 1
        while EditApplier.occurrences(of: Array(lines[window]), in: lines).count > 1 {
            if window.lowerBound > 0 { window = window.lowerBound - 1 ..< window.upperBound }
            if window.upperBound < lines.count { window = window.lowerBound ..< window.upperBound + 1 }
            if window == 0 ..< lines.count { break }
        }
        return window
    }
}
