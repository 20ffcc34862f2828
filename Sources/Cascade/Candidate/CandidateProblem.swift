/// A problem candidates can be written for: its protocol's generated `main`, and its template.
public enum CandidateProblem: String, CaseIterable, Sendable {
    case spot
    case spotMulti = "spot-multi"
    case eplb
    case prefix
    case txn

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
        let serve: String
        switch self {
        case .spot: serve = "serveSpot"
        case .spotMulti: serve = "serveSpotMulti"
        case .eplb: serve = "serveEPLB"
        case .prefix: serve = "servePrefix"
        case .txn: serve = "serveTxn"
        }
        return """
            import CandidateAPI

            @main enum CandidateMain {
                static func main() { CandidateHost.\(serve)(Candidate.self) }
            }

            """
    }

    /// The fine level's metric a run optimises, and which way is better: evolve's fitness.
    public var fitness: LevelMetric {
        switch self {
        case .spot, .spotMulti: return LevelMetric(name: "mean_cost", lowerIsBetter: true)
        case .txn: return LevelMetric(name: "total_makespan", lowerIsBetter: true)
        case .prefix: return LevelMetric(name: "block_hit_rate", lowerIsBetter: false)
        case .eplb: return LevelMetric(name: "throughput", lowerIsBetter: false)
        }
    }

    /// The protocol a candidate's `Candidate` type conforms to.
    public var protocolName: String {
        switch self {
        case .spot: return "SpotPolicy"
        case .spotMulti: return "MultiRegionPolicy"
        case .eplb: return "ExpertPlacer"
        case .prefix: return "FieldReorderer"
        case .txn: return "TxnScheduler"
        }
    }

    /// The problem `source` seems written for when it names another problem's protocol and not
    /// this one's: a hint for a compile error, never a decision.
    public func otherProblem(suggestedBy source: String) -> CandidateProblem? {
        guard !source.contains(protocolName) else { return nil }
        return Self.allCases.first { $0 != self && source.contains($0.protocolName) }
    }

    /// The candidate API's source files for this problem, relative to the package root (shown
    /// to an LLM generator).
    public var apiSourceFiles: [String] {
        switch self {
        case .spot: return ["Sources/CandidateAPI/Spot.swift"]
        case .spotMulti: return ["Sources/CandidateAPI/Spot.swift", "Sources/CandidateAPI/SpotMulti.swift"]
        case .eplb: return ["Sources/CandidateAPI/EPLB.swift"]
        case .prefix: return ["Sources/CandidateAPI/Prefix.swift"]
        case .txn: return ["Sources/CandidateAPI/Txn.swift"]
        }
    }

    /// The starting candidate printed by `sim-cascade init PROBLEM`.
    public var template: String {
        switch self {
        case .spot: return CandidateTemplates.spot
        case .spotMulti: return CandidateTemplates.spotMulti
        case .eplb: return CandidateTemplates.eplb
        case .prefix: return CandidateTemplates.prefix
        case .txn: return CandidateTemplates.txn
        }
    }

    /// The template with `body` as its evolve block (indented like the block), everything
    /// outside the block — its helper types — kept.
    /// - Complexity: O(template length).
    public func template(withBlock body: String) -> String {
        let template = self.template
        guard let start = template.range(of: "// EVOLVE-BLOCK-START\n"), let end = template.range(of: "// EVOLVE-BLOCK-END") else {
            preconditionFailure("every template marks its evolve block")
        }
        let indented = body.split(separator: "\n", omittingEmptySubsequences: false).map { "        " + $0 }.joined(separator: "\n")
        return String(template[..<start.upperBound]) + indented + "\n        " + String(template[end.lowerBound...])
    }
}
