import Cascade
import Foundation
import SimCore

/// What the trusted evaluator said about a child, as the loop needs it.
public struct EvaluatedChild: Sendable {
    /// Passed every stage (only such children may become parents).
    public var valid: Bool
    /// The fine level's primary metric, and the same oriented so that higher is better.
    public var score: Double?
    public var fitness: Double?
    public var rejectedAt: String?
    public var evaluations: [EvaluationRecord]
    /// The fine level's metrics (feature dimensions may name any of them).
    public var metrics: [String: Double]

    public init(valid: Bool, score: Double?, fitness: Double?, rejectedAt: String?, evaluations: [EvaluationRecord],
                metrics: [String: Double] = [:]) {
        self.metrics = metrics
        self.valid = valid
        self.score = score
        self.fitness = fitness
        self.rejectedAt = rejectedAt
        self.evaluations = evaluations
    }
}

/// The settings a run is started with; stored in the run so a resume needs none of them.
public struct EvolutionSettings: Codable, Sendable, Equatable {
    public var problem: String
    public var seed: UInt64
    public var selection: SelectionConfig
    /// Evaluations in flight. Proposal i sees only iterations ≤ i − workers, so the same seed and
    /// worker count give the same store whatever the timing.
    public var workers: Int
    /// The most evaluations in flight (`--workers`).
    public static let workerRange = 1...64
    /// The run stops before a generator call whose worst-case cost would pass this total.
    public var budgetUSD: Double?
    /// `offline` or `openai` (its endpoint settings come from the config file, not the store).
    public var generator: String
    /// The share of stopped children also run through the fine level alone (`--counterfactual`).
    public var counterfactualShare: Double = CounterfactualSampling.defaultShare
    /// The scale of the search inputs (`--inputs`: research or small).
    public var inputs: String = "research"
    /// What the gates compare a child with (`--gates-relative-to`): the levels' reference
    /// policy (`initial`, the template) or the child's parent (`parent`).
    public var gateReference: String = "initial"
    public static let gateReferences = ["initial", "parent"]
    /// The gates the run started with (a resume keeps them whatever the checkout's say).
    public var gates: [LevelGate]?
    /// The fitness when it is not the problem's: a run whose top stage is a real system above
    /// the fine level ranks by that level's primary metric (`nil`: the problem's fitness).
    public var fitness: LevelMetric?
    /// The cascade's levels when its top stage is such a level (it came from a gates file given
    /// with `--gates`, which a resume does not take): the resume runs them again.
    public var levels: [String]?

    /// What the run ranks its programs by.
    public func fitness(of problem: CandidateProblem) -> LevelMetric { fitness ?? problem.fitness }

    public init(problem: String, seed: UInt64, selection: SelectionConfig = SelectionConfig(), workers: Int = 1,
                budgetUSD: Double? = nil, generator: String = "offline") {
        self.problem = problem
        self.seed = seed
        self.selection = selection
        self.workers = workers
        self.budgetUSD = budgetUSD
        self.generator = generator
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        problem = try c.decode(String.self, forKey: .problem)
        seed = try c.decode(UInt64.self, forKey: .seed)
        selection = try c.decode(SelectionConfig.self, forKey: .selection)
        // Runs stored before these settings existed ran one evaluation at a time, offline.
        workers = try c.decodeIfPresent(Int.self, forKey: .workers) ?? 1
        budgetUSD = try c.decodeIfPresent(Double.self, forKey: .budgetUSD)
        generator = try c.decodeIfPresent(String.self, forKey: .generator) ?? "offline"
        // Runs stored before the counterfactual existed sampled no child.
        counterfactualShare = try c.decodeIfPresent(Double.self, forKey: .counterfactualShare) ?? 0
        // Runs stored before research-scale inputs ran on what is now the small set.
        inputs = try c.decodeIfPresent(String.self, forKey: .inputs) ?? "small"
        gateReference = try c.decodeIfPresent(String.self, forKey: .gateReference) ?? "initial"
        gates = try c.decodeIfPresent([LevelGate].self, forKey: .gates)
        fitness = try c.decodeIfPresent(LevelMetric.self, forKey: .fitness)
        levels = try c.decodeIfPresent([String].self, forKey: .levels)
    }
}

/// The loop's own state, committed with every iteration: both random streams and the migrants.
struct LoopState: Codable, Equatable {
    var generator: [UInt64]
    var selection: [UInt64]
    var migrants: [[Int64]]  // [program id, island]

    init(generator: [UInt64], selection: [UInt64], migrants: [[Int64]]) {
        self.generator = generator
        self.selection = selection
        self.migrants = migrants
    }

    /// Checks the shapes a resume indexes into: four words per stream, pairs per migrant.
    init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        generator = try c.decode([UInt64].self, forKey: .generator)
        selection = try c.decode([UInt64].self, forKey: .selection)
        migrants = try c.decode([[Int64]].self, forKey: .migrants)
        guard generator.count == 4, selection.count == 4, migrants.allSatisfy({ $0.count == 2 && $0[1] >= 0 }) else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "a random stream is not four words, or a migrant not (id, island)"))
        }
    }

    static func words(_ g: SeededGenerator) -> [UInt64] { [g.state.0, g.state.1, g.state.2, g.state.3] }
    static func generator(_ w: [UInt64]) -> SeededGenerator { SeededGenerator(state: (w[0], w[1], w[2], w[3])) }

    /// Sorted keys: the same state is the same text, so stores compare equal. Infinities (the
    /// ranges of a dimension nothing has reached yet) are written as strings.
    static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return encoder
    }

    static var decoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return decoder
    }

    static func text<T: Encodable>(_ value: T) throws -> String { String(decoding: try encoder.encode(value), as: UTF8.self) }
}

/// One iteration, as the progress line and the tests see it.
public struct IterationSummary: Sendable {
    public var iteration: Int
    public var program: ProgramRecord?
    public var error: String?
    /// The generator's spend so far, in US dollars.
    public var spentUSD: Double
}

/// Why `EvolutionLoop.run` returned.
public enum StopReason: String, Sendable, Equatable {
    case iterations, timeBudget = "time budget", costBudget = "cost budget"
}
