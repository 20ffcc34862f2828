import Cascade

/// Applies edits to a candidate's evolve block; nothing outside the block ever changes.
///
/// A SEARCH text must match exactly one run of consecutive block lines, compared with trailing
/// whitespace removed and leading indentation normalised (each side's common indentation
/// removed, so the relative indentation must agree). The REPLACE text is re-indented to the
/// matched lines' indentation. Pairs apply in order, each to the block the previous left.
public enum EditApplier {
    /// - Returns: the new source.
    /// - Throws: `EvolveError` naming the pair that cannot apply; the source is then unchanged.
    /// - Complexity: O(pairs × block lines × search lines).
    public static func apply(_ edit: Edit, to source: String) throws -> String {
        var block = try EvolveBlock(source: source)
        switch edit {
        case .rewrite(let body):
            let lines = body.split(separator: "\n", omittingEmptySubsequences: false)
            guard !lines.contains(where: isMarker) else { throw EvolveError.touchesMarkers }
            block.body = reindent(lines, to: indentation(of: block.body.isEmpty ? block.head.suffix(1) : block.body[...]))
        case .searchReplace(let pairs):
            for (search, replace) in pairs {
                let searchLines = trimmedBlankEdges(search.split(separator: "\n", omittingEmptySubsequences: false))
                let replaceLines = trimmedBlankEdges(replace.split(separator: "\n", omittingEmptySubsequences: false))
                guard !searchLines.contains(where: isMarker), !replaceLines.contains(where: isMarker) else {
                    throw EvolveError.touchesMarkers
                }
                let matches = occurrences(of: searchLines, in: block.body)
                guard matches.count == 1, let at = matches.first else {
                    if matches.isEmpty {
                        let outside = !occurrences(of: searchLines, in: block.head).isEmpty
                            || !occurrences(of: searchLines, in: block.tail).isEmpty
                        throw EvolveError.noMatch(search: search, outside: outside)
                    }
                    throw EvolveError.ambiguousMatch(search: search, count: matches.count)
                }
                let matched = block.body[at ..< at + searchLines.count]
                block.body.replaceSubrange(at ..< at + searchLines.count, with: reindent(replaceLines, to: indentation(of: matched)))
            }
        }
        return block.source
    }

    static func isMarker(_ line: Substring) -> Bool {
        line.contains(EvolveBlock.startMarker) || line.contains(EvolveBlock.endMarker)
    }

    /// Start indices of every run of `lines` in `block` under the normalised comparison.
    static func occurrences(of lines: [Substring], in block: [Substring]) -> [Int] {
        guard !lines.isEmpty, lines.count <= block.count else { return [] }
        let wanted = normalised(lines[...])
        return (0 ... block.count - lines.count).filter { normalised(block[$0 ..< $0 + lines.count]) == wanted }
    }

    /// Trailing whitespace removed, then the lines' common indentation (blank lines aside).
    static func normalised(_ lines: ArraySlice<Substring>) -> [Substring] {
        let trimmed = lines.map { $0.trimmingTrailingWhitespace }
        let common = commonIndent(trimmed)
        return trimmed.map { $0.isEmpty ? $0 : $0.dropFirst(common) }
    }

    static func commonIndent(_ lines: [Substring]) -> Int {
        lines.filter { !$0.isEmpty }.map { $0.prefix { $0 == " " || $0 == "\t" }.count }.min() ?? 0
    }

    /// The leading whitespace of the least indented non-blank line.
    static func indentation(of lines: ArraySlice<Substring>) -> Substring {
        let nonBlank = lines.map { $0.trimmingTrailingWhitespace }.filter { !$0.isEmpty }
        return nonBlank.map { $0.prefix { $0 == " " || $0 == "\t" } }.min { $0.count < $1.count } ?? ""
    }

    /// `lines` with their common indentation replaced by `indent`.
    static func reindent(_ lines: [Substring], to indent: Substring) -> [Substring] {
        let trimmed = lines.map { $0.trimmingTrailingWhitespace }
        let common = commonIndent(trimmed)
        return trimmed.map { $0.isEmpty ? $0 : Substring(String(indent) + $0.dropFirst(common)) }
    }

    /// Blank lines at either end are the response's formatting, not part of the edit.
    static func trimmedBlankEdges(_ lines: [Substring]) -> [Substring] {
        var slice = lines[...]
        while let first = slice.first, first.trimmingTrailingWhitespace.isEmpty { slice = slice.dropFirst() }
        while let last = slice.last, last.trimmingTrailingWhitespace.isEmpty { slice = slice.dropLast() }
        return Array(slice)
    }
}

/// The identity of a program for de-duplication: its source with whitespace runs collapsed,
/// trailing whitespace and blank lines removed. Two children that differ only in layout are the
/// same program and are evaluated once.
public enum ProgramFingerprint {
    /// - Complexity: O(source length).
    public static func normalised(_ source: String) -> String {
        source.split(separator: "\n", omittingEmptySubsequences: false)
            .map { line in line.split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ") }
            .filter { !$0.isEmpty }
            .joined(separator: "\n")
    }

    /// FNV-1a of the normalised source, hex; a store compares the normalised text on a hit.
    public static func hash(_ source: String) -> String {
        var hash = FNV1a()
        hash.combine(Array(normalised(source).utf8))
        return hash.hex
    }
}
