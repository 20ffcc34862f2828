/// A problem candidates can be written for: its protocol's generated `main`, and its template.
public enum CandidateProblem: String, CaseIterable, Sendable {
    case spot

    /// - Throws: `CascadeError.unknownProblem`.
    public init(named name: String) throws {
        guard let problem = CandidateProblem(rawValue: name) else {
            throw CascadeError.unknownProblem(name, known: Self.allCases.map(\.rawValue))
        }
        self = problem
    }

    /// The `main` compiled with the candidate: it hands `Candidate` to the query loop, so a
    /// missing type or a wrong conformance is a compile error in the candidate's terms.
    var harness: String {
        switch self {
        case .spot:
            return """
                import CandidateAPI

                @main enum CandidateMain {
                    static func main() { CandidateHost.serveSpot(Candidate.self) }
                }

                """
        }
    }

    /// The starting candidate printed by `sim-cascade init PROBLEM`.
    public var template: String {
        switch self {
        case .spot: return CandidateTemplates.spot
        }
    }
}
