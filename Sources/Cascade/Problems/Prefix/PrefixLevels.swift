import CandidateAPI
import Sim
import SimCore

/// The prefix-cache problem's three levels over a set of tables. The candidate reorders a table
/// at every level; the levels change the table's size and how the answer is scored.
///
/// - `cost_model`: a seeded `costModelShare` of each table's rows (at least `minimumRows`),
///   scored from column statistics alone (`PrefixColumnEstimate`).
/// - `coarse`: a seeded `coarseShare` of the rows, scored by the exact public PHR.
/// - `fine`: the whole tables sent through a KV cache with token blocks, finite capacity and LRU
///   eviction, rows in the candidate's order (`KVCacheSimulation`): block hit rate, the share
///   of prefill tokens saved, and the exact PHR.
///
/// Every metric is higher-is-better; tables are pooled (hits over totals), not averaged. Tables
/// of over `researchScale` rows in all (the research set's 100,979) are sampled more thinly:
/// `researchCostModelShare` and `researchCoarseShare`, about 1,000 and 2,500 rows.
public enum PrefixLevels {
    public static let costModelShare = 0.05
    public static let coarseShare = 0.1
    public static let researchCostModelShare = 0.01
    public static let researchCoarseShare = 0.025
    public static let researchScale = 20_000
    public static let minimumRows = 50

    public static func make(tables: [(name: String, table: PrefixTable)], seed: UInt64 = 0) -> [PrefixFidelityLevel] {
        let research = tables.reduce(0) { $0 + $1.table.rows.count } > researchScale
        let (costShare, coarse) = research ? (researchCostModelShare, researchCoarseShare) : (costModelShare, coarseShare)
        return [PrefixFidelityLevel(name: "cost_model", tables: tables.map { sample($0, share: costShare, seed: seed) },
                                    scoring: .columnEstimate),
                PrefixFidelityLevel(name: "coarse", tables: tables.map { sample($0, share: coarse, seed: seed) }, scoring: .exact),
                PrefixFidelityLevel(name: "fine", tables: tables, scoring: .kvCache(KVCacheModel()))]
    }

    /// `share` of the rows (at least `minimumRows`), chosen with a seeded shuffle, in file order.
    static func sample(_ named: (name: String, table: PrefixTable), share: Double, seed: UInt64)
        -> (name: String, table: PrefixTable) {
        let n = named.table.rows.count
        var indices = Array(0..<n)
        var rng = SeededGenerator(seed: seed)
        rng.shuffle(&indices)
        let kept = indices.prefix(min(n, max(minimumRows, Int((Double(n) * share).rounded())))).sorted()
        var sampled = named.table  // the merge groups and reorder arguments stay
        sampled.rows = kept.map { named.table.rows[$0] }
        return (named.name + " (sample)", sampled)
    }
}

/// A prefix level: tables and how a reordering of each is scored.
public struct PrefixFidelityLevel: FidelityLevel {
    public enum Scoring: Sendable, Equatable {
        case columnEstimate, exact
        case kvCache(KVCacheModel)
    }

    public let name: String
    public let tables: [(name: String, table: PrefixTable)]
    public let scoring: Scoring
    /// Per table: column statistics (cost model) or scalars (fine), computed once.
    let statistics: [PrefixColumnEstimate.Statistics]
    let scalars: [ScalarTable]
    /// The template's (ggr) metrics on this level's tables: the gates' reference.
    let reference: [String: Double]

    public init(name: String, tables: [(name: String, table: PrefixTable)], scoring: Scoring) {
        self.name = name
        self.tables = tables
        self.scoring = scoring
        statistics = scoring == .columnEstimate ? tables.map { PrefixColumnEstimate.statistics($0.table) } : []
        if case .kvCache = scoring { scalars = tables.map { ScalarTable($0.table) } } else { scalars = [] }
        let (statistics, scalars) = (self.statistics, self.scalars)
        reference = Self.metrics(tables.indices.map { i in
            let ordering = GGRPolicy().reorder(tables[i].table)
            let rate = (try? PrefixHitRate(table: tables[i].table, ordering: ordering)) ?? PrefixHitRate(hitChars: 0, totalChars: 0)
            return Self.score(PrefixTableScore(name: tables[i].name, rows: tables[i].table.rows.count, rate: rate,
                                               runtimeSeconds: 0, ordering: ordering),
                              scoring: scoring, statistics: statistics.isEmpty ? nil : statistics[i],
                              scalars: scalars.isEmpty ? nil : scalars[i])
        }, scoring: scoring)
    }

    public var metrics: [LevelMetric] {
        switch scoring {
        case .columnEstimate: return [LevelMetric(name: "estimated_phr", lowerIsBetter: false)]
        case .exact: return [LevelMetric(name: "phr", lowerIsBetter: false)]
        case .kvCache:
            return [LevelMetric(name: "block_hit_rate", lowerIsBetter: false), LevelMetric(name: "saved_token_share", lowerIsBetter: false),
                    LevelMetric(name: "phr", lowerIsBetter: false)]
        }
    }
    public var primaryMetric: String { metrics[0].name }

    /// `base` with the level's own model applied to its ordering.
    static func score(_ base: PrefixTableScore, scoring: Scoring, statistics: PrefixColumnEstimate.Statistics?,
                      scalars: ScalarTable?) -> PrefixTableScore {
        var score = base
        guard let ordering = base.ordering else { return score }
        switch scoring {
        case .exact: break
        case .columnEstimate: score.estimate = statistics.map { PrefixColumnEstimate.hitRate($0, ordering: ordering) }
        case .kvCache(let model): score.cache = scalars.map { KVCacheSimulation.run($0, ordering: ordering, model: model) }
        }
        return score
    }

    /// Pooled over tables: hits over totals (the estimate weighted by each table's characters).
    static func metrics(_ scores: [PrefixTableScore], scoring: Scoring) -> [String: Double] {
        let chars = scores.reduce(0) { $0 + $1.rate.totalChars }
        let phr = chars == 0 ? 0 : Double(scores.reduce(0) { $0 + $1.rate.hitChars }) / Double(chars)
        switch scoring {
        case .exact:
            return ["phr": phr]
        case .columnEstimate:
            let weighted = scores.reduce(0.0) { $0 + ($1.estimate ?? 0) * Double($1.rate.totalChars) }
            return ["estimated_phr": chars == 0 ? 0 : weighted / Double(chars)]
        case .kvCache:
            let caches = scores.compactMap(\.cache)
            let blocks = caches.reduce(0) { $0 + $1.blocks }, hits = caches.reduce(0) { $0 + $1.hitBlocks }
            let tokens = caches.reduce(0) { $0 + $1.tokens }, saved = caches.reduce(0) { $0 + $1.savedTokens }
            return ["block_hit_rate": blocks == 0 ? 0 : Double(hits) / Double(blocks),
                    "saved_token_share": tokens == 0 ? 0 : Double(saved) / Double(tokens), "phr": phr]
        }
    }

    public func run(_ candidate: CompiledCandidate, sandbox: Sandbox, budget: StageBudget?, test: SequentialTest?) throws
        -> LevelResult {
        let session = try sandbox.limited(to: budget).start(executable: candidate.executable)
        switch PrefixCandidateRunner(tables: tables).run(session) {
        case .failure(let failure):
            return LevelResult(level: name, metrics: [:], failure: failure, seconds: monotonicSeconds() - session.startTime,
                               score: nil, artifacts: [], log: session.logText)
        case .success(let answers):
            let scores = answers.enumerated().map { i, answer in
                Self.score(answer, scoring: scoring, statistics: statistics.isEmpty ? nil : statistics[i],
                           scalars: scalars.isEmpty ? nil : scalars[i])
            }
            // The level's time includes its scoring.
            let seconds = monotonicSeconds() - session.startTime
            return LevelResult(level: name, metrics: Self.metrics(scores, scoring: scoring), failure: nil, seconds: seconds, score: CandidateScore(scores),
                               artifacts: name == "fine" ? notes(scores) : [], log: session.logText,
                               items: (tables.count, tables.count))
        }
    }

    public func referenceMetrics() -> [String: Double] { reference }

    func notes(_ scores: [PrefixTableScore]) -> [String] {
        scores.map { s in
            let c = s.cache
            return "\(s.name): PHR \(percent(s.rate.phr)); KV cache: \(c.map { percent($0.blockHitRate) } ?? "-") of "
                + "\(c?.blocks ?? 0) blocks hit, \(c?.evictions ?? 0) evictions, \(c?.tokens ?? 0) tokens"
        }
    }

    private func percent(_ x: Double) -> String { String((x * 10_000).rounded() / 100 + 0.0) + " %" }
}
