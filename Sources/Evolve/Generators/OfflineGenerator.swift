import Foundation
import Cascade
import SimCore

/// Seeded mutations of the evolve block, written as SEARCH/REPLACE edits. One to three per child,
/// on different lines, each one of (see `MutationSite`): scale a numeric literal, flip a
/// comparison (`<` ↔ `<=`), move a threshold (scale a comparison's right operand), swap the arms
/// of a ternary, replace a returned implicit member (`.none` → `.onDemand`), or — when the request
/// has inspirations with a block of the same length — cross over one line from an inspiration.
/// The SEARCH text is the mutated line, widened with its neighbours until it is unique in the
/// block. The same seed and request give the same children; the RNG state is part of the
/// generator, so a resumed run continues the stream.
public struct OfflineGenerator: ProgramGenerator, Sendable {
    public var rng: SeededGenerator

    public init(seed: UInt64) { rng = SeededGenerator(seed: seed) }

    /// Continues a stream from a saved state.
    public init(rng: SeededGenerator) { self.rng = rng }

    /// - Complexity: O(block lines × line length) per mutation.
    public mutating func propose(_ request: GenerationRequest) throws -> GenerationResponse {
        let block = try EvolveBlock(source: request.parent)
        var body = block.body.map(String.init)
        let donors = request.inspirations.compactMap { try? EvolveBlock(source: $0).body.map(String.init) }
            .filter { $0.count == body.count && $0 != body }
        let members = MutationSite.returnedMembers(in: body)
        var edits: [String] = []
        var touched = Set<Int>()  // one mutation per line, so none undoes another
        let wanted = 1 + rng.nextInt(below: 3)
        for _ in 0 ..< 20 where edits.count < wanted {
            var line: Int
            var mutated: String
            if !donors.isEmpty && rng.nextInt(below: 4) == 0 {
                // Crossover: a line where an inspiration differs.
                let donor = donors[rng.nextInt(below: donors.count)]
                let differing = body.indices.filter { !touched.contains($0) && donor[$0] != body[$0] }
                guard !differing.isEmpty else { continue }
                line = differing[rng.nextInt(below: differing.count)]
                mutated = donor[line]
            } else {
                let sites = body.indices.filter { !touched.contains($0) }
                    .flatMap { l in MutationSite.sites(in: body[l], members: members).map { (l, $0) } }
                guard !sites.isEmpty else { break }
                let site: MutationSite
                (line, site) = sites[rng.nextInt(below: sites.count)]
                mutated = site.apply(to: body[line], members: members, rng: &rng)
            }
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
