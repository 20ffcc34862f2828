import Foundation

/// What a model must know to write a candidate for a problem: the template's contract lines,
/// the rule of the evolve block, and the candidate API's declarations. `evolve`'s OpenAI
/// generator opens its system message with it; `init PROBLEM --prompt` prints it, so a
/// framework's prompt (OpenEvolve, ShinkaEvolve, GEPA) carries the same contract as ours.
public struct CandidateContract: Sendable, Equatable {
    public var problem: CandidateProblem
    /// The candidate API's declarations (`Problem.apiSourceFiles`), empty where the checkout
    /// is absent.
    public var apiReference: String

    public init(problem: CandidateProblem, apiReference: String) {
        self.problem = problem
        self.apiReference = apiReference
    }

    /// The contract with the API read from the checkout `catalog` names (empty without one).
    public init(problem: CandidateProblem, catalog: InputCatalog) {
        self.init(problem: problem, apiReference: Self.apiReference(of: problem, catalog: catalog))
    }

    /// The problem's API source files, concatenated; files that cannot be read are left out.
    public static func apiReference(of problem: CandidateProblem, catalog: InputCatalog) -> String {
        problem.apiSourceFiles.compactMap { file in
            (try? catalog.packageFile(file)).flatMap { try? String(contentsOf: $0, encoding: .utf8) }
        }.joined(separator: "\n")
    }

    /// The template's leading `//` lines, without the markers.
    public var templateContract: String {
        problem.template.split(separator: "\n").prefix { $0.hasPrefix("//") }
            .map { $0.dropFirst(2).trimmingCharacters(in: .whitespaces) }.joined(separator: "\n")
    }

    /// The problem and its contract, the evolve block's rule (`editFormat` between them, when
    /// given), then the API.
    public func text(editFormat: String? = nil) -> String {
        var text = """
            You improve a candidate policy for sim-cascade, problem `\(problem.rawValue)`. A trusted \
            simulator scores it; you only see the scores. The contract:
            \(templateContract)

            Change only the code between `// EVOLVE-BLOCK-START` and `// EVOLVE-BLOCK-END`.
            """
        if let editFormat { text += " " + editFormat }
        if !apiReference.isEmpty {
            text += "\n\nThe candidate API (Swift):\n```swift\n\(apiReference)\n```"
        }
        return text
    }
}
