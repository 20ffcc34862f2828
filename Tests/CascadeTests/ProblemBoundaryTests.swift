import Cascade
import Foundation
import Testing
import TestSupport

/// A problem is a value: outside its own folders (`Sources/*/Problems/<Name>/`, `Sources/Sim/<Problem>/`),
/// the candidate side (API, wire, host) and the registries, no source names a problem — no string literal whose
/// whole text is a registered problem's name, no `case .spot`-style pattern or `== .spot`
/// comparison on a problem, no `switch` on a problem value.
@Suite struct ProblemBoundaryTests {
    /// Where problem-specific code belongs (paths relative to the package root).
    static func isAllowed(_ path: String) -> Bool {
        let parts = path.split(separator: "/").map(String.init)
        if parts.count > 3, parts[0] == "Sources", parts[2] == "Problems" { return true }  // Sources/<Layer>/Problems/<Name>/…
        if parts.count > 3, parts[0] == "Sources", parts[1] == "Sim", parts[2] != "Inputs" { return true }  // Sources/Sim/<Problem>/…
        // The candidate side: the API, its wire codec and the host (see docs/architecture.md).
        if parts.count > 1, parts[0] == "Sources", ["CandidateAPI", "CandidateWire", "CandidateHost"].contains(parts[1]) { return true }
        return ["Sources/Cascade/Problems/ProblemRegistry.swift", "Sources/sim-cascade/Problems/CommandRegistry.swift"].contains(path)
    }

    /// The static members naming registered problems (`CandidateProblem.spot` …), read from the
    /// problem folders.
    static func problemMembers(root: URL) throws -> Set<String> {
        var members = Set<String>()
        let pattern = try Regex(#"static let (\w+) = CandidateProblem\("#)
        for file in try swiftFiles(under: root.appendingPathComponent("Sources/Cascade/Problems"), root: root) {
            for match in try String(contentsOf: root.appendingPathComponent(file), encoding: .utf8).matches(of: pattern) {
                if let name = match.output[1].substring { members.insert(String(name)) }
            }
        }
        return members
    }

    /// Every `.swift` file under `folder`, relative to `root`, in name order.
    static func swiftFiles(under folder: URL, root: URL) throws -> [String] {
        var files: [String] = []
        for case let item as String in FileManager.default.enumerator(atPath: folder.path) ?? NSEnumerator() where item.hasSuffix(".swift") {
            files.append(String(folder.appendingPathComponent(item).path.dropFirst(root.path.count + 1)))
        }
        return files.sorted()
    }

    /// The lines of `text` that name a problem (comments skipped).
    static func violations(in text: String, names: [String], members: Set<String>) -> [String] {
        let literals = names.map { "\"\($0)\"" }
        let patterns = members.flatMap { m in ["case .\(m)", "case .\(m),", "== .\(m)", "!= .\(m)"] }
        return text.split(separator: "\n", omittingEmptySubsequences: false).enumerated().compactMap { number, line in
            let code = line.trimmingCharacters(in: .whitespaces)
            guard !code.hasPrefix("//") else { return nil }
            let subject = code.hasPrefix("switch ") ? code.dropFirst(7).prefix { $0 != "{" }.trimmingCharacters(in: .whitespaces) : ""
            let hit = literals.first { code.contains($0) }
                ?? patterns.first { p in code.contains(p) && isWholeMember(code, p) }
                ?? (subject.lowercased().hasSuffix("problem") ? "switch on a problem" : nil)
            return hit.map { "line \(number + 1): \($0): \(code)" }
        }
    }

    /// `pattern` (`case .spot`) not continued by a longer identifier (`case .spotMulti`).
    static func isWholeMember(_ code: String, _ pattern: String) -> Bool {
        var rest = code[...]
        while let range = rest.range(of: pattern) {
            let next = rest[range.upperBound...].first
            if next.map({ !($0.isLetter || $0.isNumber || $0 == "_") }) ?? true { return true }
            rest = rest[range.upperBound...]
        }
        return false
    }

    @Test func theScannerFindsWhatItForbids() {
        let names = ["spot", "spot-multi"], members: Set = ["spot", "spotMulti"]
        #expect(Self.violations(in: #"let p = "spot-multi""#, names: names, members: members).count == 1)
        #expect(Self.violations(in: "    case .spotMulti: return 1", names: names, members: members).count == 1)
        #expect(Self.violations(in: "if problem == .spot {", names: names, members: members).count == 1)
        #expect(Self.violations(in: "switch outcome.problem {", names: names, members: members).count == 1)
        #expect(Self.violations(in: "case .spotless: break", names: names, members: members).isEmpty)
        #expect(Self.violations(in: #"help: "spot, spot-multi: a file""#, names: names, members: members).isEmpty)
        #expect(Self.violations(in: #"// "spot" in a comment"#, names: names, members: members).isEmpty)
    }

    @Test func theRegistryNamesEveryProblemFolder() throws {
        let root = TestPaths.repositoryRoot
        let members = try Self.problemMembers(root: root)
        #expect(members.count == CandidateProblem.allCases.count)
        #expect(Set(CandidateProblem.allCases.map(\.rawValue)).count == CandidateProblem.allCases.count)
    }

    @Test func noSourceOutsideAProblemsFolderNamesAProblem() throws {
        let root = TestPaths.repositoryRoot
        let names = CandidateProblem.allCases.map(\.rawValue)
        let members = try Self.problemMembers(root: root)
        var found: [String] = []
        for file in try Self.swiftFiles(under: root.appendingPathComponent("Sources"), root: root) where !Self.isAllowed(file) {
            let text = try String(contentsOf: root.appendingPathComponent(file), encoding: .utf8)
            found += Self.violations(in: text, names: names, members: members).map { "\(file) \($0)" }
        }
        #expect(found.isEmpty, "per-problem code outside Problems/<Name>/:\n\(found.joined(separator: "\n"))")
    }
}
