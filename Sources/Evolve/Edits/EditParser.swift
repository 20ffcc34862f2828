import Foundation

/// What a generator asked for: SEARCH/REPLACE pairs applied in order, or a new evolve block.
public enum Edit: Sendable, Equatable {
    case searchReplace([(search: String, replace: String)])
    case rewrite(String)

    public static func == (a: Edit, b: Edit) -> Bool {
        switch (a, b) {
        case (.rewrite(let x), .rewrite(let y)): return x == y
        case (.searchReplace(let x), .searchReplace(let y)):
            return x.count == y.count && zip(x, y).allSatisfy { $0.search == $1.search && $0.replace == $1.replace }
        default: return false
        }
    }
}

/// Reads edits from a generator's response.
///
/// SEARCH/REPLACE blocks are written as
/// ```
/// <<<<<<< SEARCH
/// old lines
/// =======
/// new lines
/// >>>>>>> REPLACE
/// ```
/// A rewrite is the whole new block between `<<<<<<< REWRITE` and `>>>>>>> REWRITE`. Text
/// around the blocks (explanations, code fences) is ignored.
public enum EditParser {
    /// - Throws: `EvolveError.noEdit`, or `.malformedEdit` for a block that is not closed.
    /// - Complexity: O(response length).
    public static func parse(_ response: String) throws -> Edit {
        let lines = response.split(separator: "\n", omittingEmptySubsequences: false).map { $0.trimmingTrailingWhitespace }
        var pairs: [(search: String, replace: String)] = []
        var rewrite: String?
        var i = 0
        func collect(until marker: (Substring) -> Bool, _ what: String) throws -> String {
            var taken: [Substring] = []
            i += 1
            while i < lines.count && !marker(lines[i]) {
                taken.append(lines[i])
                i += 1
            }
            guard i < lines.count else { throw EvolveError.malformedEdit("\(what) is not closed") }
            return taken.joined(separator: "\n")
        }
        while i < lines.count {
            let line = lines[i].trimmingLeadingWhitespace
            if line.hasPrefix("<<<<<<< SEARCH") {
                let search = try collect(until: { $0.trimmingLeadingWhitespace.hasPrefix("=======") }, "a SEARCH block")
                let replace = try collect(until: { $0.trimmingLeadingWhitespace.hasPrefix(">>>>>>> REPLACE") }, "a REPLACE block")
                guard !search.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
                    throw EvolveError.malformedEdit("a SEARCH block is empty")
                }
                pairs.append((search, replace))
            } else if line.hasPrefix("<<<<<<< REWRITE") {
                guard rewrite == nil else { throw EvolveError.malformedEdit("more than one REWRITE block") }
                rewrite = try collect(until: { $0.trimmingLeadingWhitespace.hasPrefix(">>>>>>> REWRITE") }, "a REWRITE block")
            }
            i += 1
        }
        switch (pairs.isEmpty, rewrite) {
        case (true, nil): throw EvolveError.noEdit
        case (true, let body?): return .rewrite(body)
        case (false, nil): return .searchReplace(pairs)
        case (false, _?): throw EvolveError.malformedEdit("both SEARCH/REPLACE blocks and a REWRITE")
        }
    }
}

extension Substring {
    var trimmingTrailingWhitespace: Substring {
        var end = endIndex
        while end > startIndex, self[index(before: end)].isWhitespace { end = index(before: end) }
        return self[startIndex..<end]
    }

    var trimmingLeadingWhitespace: Substring { drop { $0 == " " || $0 == "\t" } }
}
