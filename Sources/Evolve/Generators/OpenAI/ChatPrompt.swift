import Cascade

/// The messages sent for one proposal: the problem and the edit format as the system message;
/// the parent with its per-stage outcome, the inspirations and the last errors as the user's.
public struct ChatPrompt: Sendable, Equatable {
    public var system: String
    public var user: String

    /// - Parameter apiReference: the candidate API's declarations, when the checkout has them.
    public init(_ request: GenerationRequest, apiReference: String?) {
        let system = CandidateContract(problem: request.problem, apiReference: apiReference ?? "").text(editFormat: """
            Answer with one or more edits in exactly this form (the SEARCH text must match exactly one place in the block):
            <<<<<<< SEARCH
            lines to replace
            =======
            new lines
            >>>>>>> REPLACE
            or with the whole new block between `<<<<<<< REWRITE` and `>>>>>>> REWRITE`. Explain briefly first.
            """)
        var user = "The parent program:\n```swift\n\(request.parent)\n```\n\nHow it did, stage by stage:\n\(request.parentReport)"
        for (k, inspiration) in request.inspirations.enumerated() {
            user += "\n\nInspiration \(k + 1) (another good program; borrow from it):\n```swift\n\(inspiration)\n```"
        }
        if !request.lastErrors.isEmpty {
            user += "\n\nErrors of recent attempts (do not repeat them):\n" + request.lastErrors.map { "- \($0)" }.joined(separator: "\n")
        }
        user += "\n\nPropose one change that lowers cost or raises the score without breaking the contract."
        self.system = system
        self.user = user
    }

    /// Both messages, as stored with the call.
    public var text: String { "[system]\n\(system)\n\n[user]\n\(user)" }
}
