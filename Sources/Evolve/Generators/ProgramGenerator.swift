import Cascade
import SimCore

/// What a generator is asked: change the parent, knowing how it and its relatives did.
public struct GenerationRequest: Sendable {
    public var problem: CandidateProblem
    public var parent: String
    /// Per-stage metrics and artifacts of the parent (e.g. its worst scenarios), as text.
    public var parentReport: String
    public var inspirations: [String]
    /// Errors of this generator's last edits and children, to be fixed rather than repeated.
    public var lastErrors: [String]

    public init(problem: CandidateProblem, parent: String, parentReport: String = "", inspirations: [String] = [],
                lastErrors: [String] = []) {
        self.problem = problem
        self.parent = parent
        self.parentReport = parentReport
        self.inspirations = inspirations
        self.lastErrors = lastErrors
    }
}

/// A generator's answer: edit text (SEARCH/REPLACE blocks or a REWRITE) and what it cost.
public struct GenerationResponse: Sendable, Equatable {
    public var text: String
    public var model: String
    /// What was sent (empty for the offline generator), kept in the store with the answer.
    public var prompt: String
    public var promptTokens: Int
    public var completionTokens: Int
    public var costUSD: Double

    public init(text: String, model: String, prompt: String = "", promptTokens: Int = 0, completionTokens: Int = 0,
                costUSD: Double = 0) {
        self.text = text
        self.model = model
        self.prompt = prompt
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.costUSD = costUSD
    }
}

/// Proposes children. Generators only write text; every edit goes through `EditParser` and
/// `EditApplier`, so an offline mutation and an LLM's answer are checked alike.
///
/// `propose` throws `EvolveError.generatorUnavailable` when no call can succeed (the run
/// stops); any other error is one failed iteration, recorded with its message.
public protocol ProgramGenerator {
    /// The generator's random stream; the loop commits it with every iteration.
    var rng: SeededGenerator { get set }
    /// The most a call for `request` may cost: its prompt plus the maximum completion, at the
    /// configured prices. The loop does not start a call that could pass the run's budget.
    func worstCaseCostUSD(_ request: GenerationRequest) -> Double
    /// The text a call for `request` sends, recorded with the call even when the call fails.
    func promptText(_ request: GenerationRequest) -> String
    /// Whether `propose` reads `request.parentReport` (the loop reads the parent's stages from
    /// the store only then).
    var usesParentReport: Bool { get }
    mutating func propose(_ request: GenerationRequest) throws -> GenerationResponse
}

extension ProgramGenerator {
    public func worstCaseCostUSD(_ request: GenerationRequest) -> Double { 0 }
    public func promptText(_ request: GenerationRequest) -> String { "" }
    public var usesParentReport: Bool { false }
}

/// Which generator proposes children: a run's setting (stored as its raw value).
public enum GeneratorKind: String, CaseIterable, Sendable {
    /// Seeded mutations of the evolve block; no network, no spend.
    case offline
    /// An OpenAI-compatible chat endpoint (`--config`).
    case openai
}
