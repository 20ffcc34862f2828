import GRDB

/// One evolution run: what it searches and where its random stream stands.
public struct RunRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "runs"
    public var id: String
    public var problem: String
    public var seed: Int64
    /// The run's settings as JSON (generator, islands, feature dimensions, budgets).
    public var config: String
    /// Iterations committed so far.
    public var iteration: Int
    /// The generator's and the selection's RNG states as JSON, committed with each iteration.
    public var rngState: String
    /// Feature ranges seen so far (MAP-Elites binning), as JSON.
    public var featureRanges: String

    public init(id: String, problem: String, seed: Int64, config: String, iteration: Int = 0, rngState: String = "{}",
                featureRanges: String = "{}") {
        self.id = id
        self.problem = problem
        self.seed = seed
        self.config = config
        self.iteration = iteration
        self.rngState = rngState
        self.featureRanges = featureRanges
    }
}

/// A program the run produced (or started from).
public struct ProgramRecord: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "programs"
    public var id: Int64?
    public var runId: String
    public var iteration: Int
    public var source: String
    /// `ProgramFingerprint.hash` of the source, and the normalised text it hashes.
    public var fingerprint: String
    public var normalized: String
    public var parentId: Int64?
    public var island: Int
    public var generation: Int
    public var featureCell: String?
    /// The raw feature values of a valid program (JSON array, the run's feature dimensions).
    public var features: String?
    public var generator: String
    /// The edit text that made it from its parent.
    public var edit: String
    /// Passed every stage; only such programs may become parents or inspirations.
    public var valid: Bool
    public var score: Double?
    public var rejectedAt: String?

    public init(runId: String, iteration: Int, source: String, parentId: Int64?, island: Int, generation: Int,
                featureCell: String? = nil, generator: String, edit: String, valid: Bool, score: Double?, rejectedAt: String?) {
        self.runId = runId
        self.iteration = iteration
        self.source = source
        fingerprint = ProgramFingerprint.hash(source)
        normalized = ProgramFingerprint.normalised(source)
        self.parentId = parentId
        self.island = island
        self.generation = generation
        self.featureCell = featureCell
        self.generator = generator
        self.edit = edit
        self.valid = valid
        self.score = score
        self.rejectedAt = rejectedAt
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// One stage of one program's evaluation.
public struct EvaluationRecord: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "evaluations"
    public var id: Int64?
    public var programId: Int64
    public var stage: String
    public var status: String
    /// Metrics as JSON, artifacts as JSON (e.g. the worst scenarios).
    public var metrics: String
    public var artifacts: String
    public var seconds: Double
    public var failureKind: String?
    public var failureMessage: String?

    public init(programId: Int64 = 0, stage: String, status: String, metrics: String, artifacts: String, seconds: Double,
                failureKind: String? = nil, failureMessage: String? = nil) {
        self.programId = programId
        self.stage = stage
        self.status = status
        self.metrics = metrics
        self.artifacts = artifacts
        self.seconds = seconds
        self.failureKind = failureKind
        self.failureMessage = failureMessage
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// One call to a generator, with what it cost — recorded even when its edit failed.
public struct GeneratorCallRecord: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "generator_calls"
    public var id: Int64?
    public var runId: String
    public var iteration: Int
    public var model: String
    public var prompt: String
    public var response: String
    public var promptTokens: Int
    public var completionTokens: Int
    public var costUSD: Double
    /// Why the response produced no program (edit error, duplicate, HTTP error), if it did not.
    public var error: String?

    public init(runId: String, iteration: Int, model: String, prompt: String, response: String, promptTokens: Int = 0,
                completionTokens: Int = 0, costUSD: Double = 0, error: String? = nil) {
        self.runId = runId
        self.iteration = iteration
        self.model = model
        self.prompt = prompt
        self.response = response
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.costUSD = costUSD
        self.error = error
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}
