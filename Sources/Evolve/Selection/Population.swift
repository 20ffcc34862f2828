import SimCore

/// A program as selection sees it: only programs that passed every stage are individuals.
public struct Individual: Sendable, Equatable {
    public var id: Int64
    public var island: Int
    /// Higher is better (a lower-is-better score is negated before it gets here).
    public var fitness: Double
    /// Raw feature values, one per dimension (e.g. program length, a problem metric).
    public var features: [Double]

    public init(id: Int64, island: Int, fitness: Double, features: [Double]) {
        self.id = id
        self.island = island
        self.fitness = fitness
        self.features = features
    }
}

/// The range of each feature seen so far; persisted with the run so that cells are stable
/// across a resume.
public struct FeatureRanges: Codable, Sendable, Equatable {
    public var low: [Double]
    public var high: [Double]

    public init(dimensions: Int) {
        low = Array(repeating: .infinity, count: dimensions)
        high = Array(repeating: -.infinity, count: dimensions)
    }

    public mutating func include(_ features: [Double]) {
        for (d, value) in features.enumerated() where value.isFinite {
            low[d] = min(low[d], value)
            high[d] = max(high[d], value)
        }
    }

    /// The bin of `value` in dimension `d` of `bins` equal bins over the range seen.
    public func bin(_ value: Double, dimension d: Int, bins: Int) -> Int {
        guard high[d] > low[d], value.isFinite else { return 0 }
        return min(bins - 1, max(0, Int((value - low[d]) / (high[d] - low[d]) * Double(bins))))
    }
}

/// How parents and inspirations are chosen. Read from the `selection` object of `--config`
/// (snake_case keys, each optional) and stored with the run.
public struct SelectionConfig: Codable, Sendable, Equatable {
    public var islands = 3
    /// The MAP-Elites feature dimensions: `length` (the normalised source's characters), `score`
    /// (the fine score, oriented so higher is better) or the name of any fine-level metric.
    public var features = ["length", "score"]
    /// Bins per feature dimension (a dimension without an entry gets 10).
    public var bins = [10, 10]
    /// Shares of parent draws: uniform over the island (exploration), uniform over its elites
    /// (exploitation); the rest is fitness-proportional by rank.
    public var exploration = 0.2
    public var exploitation = 0.7
    public var inspirations = 3
    /// Every this many iterations, each island's best is copied to the next island of the ring.
    public var migrationInterval = 10

    /// Limits that keep a config from allocating more than a run can use.
    public static let maxIslands = 64
    public static let maxInspirations = 16

    public init() {}

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        islands = try c.decodeIfPresent(Int.self, forKey: .islands) ?? islands
        features = try c.decodeIfPresent([String].self, forKey: .features) ?? features
        bins = try c.decodeIfPresent([Int].self, forKey: .bins) ?? bins
        exploration = try c.decodeIfPresent(Double.self, forKey: .exploration) ?? exploration
        exploitation = try c.decodeIfPresent(Double.self, forKey: .exploitation) ?? exploitation
        inspirations = try c.decodeIfPresent(Int.self, forKey: .inspirations) ?? inspirations
        migrationInterval = try c.decodeIfPresent(Int.self, forKey: .migrationInterval) ?? migrationInterval
    }

    /// - Throws: `EvolveError.config` for settings no run could use.
    public func validate() throws {
        guard (1...Self.maxIslands).contains(islands), (0...Self.maxInspirations).contains(inspirations),
              (1...1_000_000).contains(migrationInterval) else {
            throw EvolveError.config("selection: islands must be 1…\(Self.maxIslands), inspirations 0…\(Self.maxInspirations), "
                                     + "migration_interval 1…1000000")
        }
        guard exploration >= 0, exploitation >= 0, exploration + exploitation <= 1 else {
            throw EvolveError.config("selection: exploration and exploitation must be shares adding up to at most 1")
        }
        guard !features.isEmpty, features.count <= 8, Set(features).count == features.count,
              bins.count <= 8, bins.allSatisfy({ (1...1000).contains($0) }) else {
            throw EvolveError.config("selection: features must be distinct, one to eight, and bins 1…1000 each")
        }
    }

    /// Bins of dimension `d`.
    public func bins(_ d: Int) -> Int { d < bins.count ? bins[d] : 10 }
}

/// MAP-Elites over islands: each island keeps, per feature cell, its fittest individual.
public struct Population: Sendable {
    public var individuals: [Individual]
    public var ranges: FeatureRanges
    public var config: SelectionConfig

    /// - Parameter migrations: programs copied into other islands, `(id, island)`.
    public init(individuals: [Individual], migrations: [(id: Int64, island: Int)] = [], ranges: FeatureRanges,
                config: SelectionConfig) {
        let byID = Dictionary(individuals.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        self.individuals = individuals + migrations.compactMap { m in byID[m.id].map { var copy = $0; copy.island = m.island; return copy } }
        self.ranges = ranges
        self.config = config
    }

    public func cell(of individual: Individual) -> [Int] {
        individual.features.enumerated().map { d, value in
            ranges.bin(value, dimension: d, bins: config.bins(d))
        }
    }

    public func members(island: Int) -> [Individual] { individuals.filter { $0.island == island } }

    /// The fittest individual of each occupied cell (ties: the earliest id), by cell order.
    /// - Complexity: O(n log n) in the island's size.
    public func elites(island: Int) -> [Individual] {
        var best: [[Int]: Individual] = [:]
        for individual in members(island: island) {
            let key = cell(of: individual)
            if let current = best[key], (current.fitness, -current.id) >= (individual.fitness, -individual.id) { continue }
            best[key] = individual
        }
        return best.keys.sorted { $0.lexicographicallyPrecedes($1) }.map { best[$0]! }
    }

    /// A parent from `island`, or `nil` when it has no individual yet.
    public func parent(island: Int, rng: inout SeededGenerator) -> Individual? {
        let members = members(island: island).sorted { $0.id < $1.id }
        guard !members.isEmpty else { return nil }
        let draw = rng.nextUnitDouble()
        if draw < config.exploration { return members[rng.nextInt(below: members.count)] }
        if draw < config.exploration + config.exploitation {
            let elites = elites(island: island)
            return elites[rng.nextInt(below: elites.count)]
        }
        // Fitness-proportional by rank: the best has weight n, the worst 1.
        let ranked = members.sorted { ($0.fitness, -$0.id) < ($1.fitness, -$1.id) }
        let total = ranked.count * (ranked.count + 1) / 2
        var pick = rng.nextInt(below: total)
        for (rank, individual) in ranked.enumerated() {
            pick -= rank + 1
            if pick < 0 { return individual }
        }
        return ranked.last
    }

    /// Up to `config.inspirations` elites of `island` other than `parent`, fittest first.
    public func inspirations(island: Int, excluding parent: Int64) -> [Individual] {
        Array(elites(island: island).filter { $0.id != parent }.sorted { ($0.fitness, -$0.id) > ($1.fitness, -$1.id) }
            .prefix(config.inspirations))
    }

    /// At iterations that are multiples of the interval: each island's best, to the next island.
    public func migrations(generation: Int) -> [(id: Int64, island: Int)] {
        guard config.islands > 1, generation > 0, config.migrationInterval > 0, generation % config.migrationInterval == 0 else {
            return []
        }
        return (0..<config.islands).compactMap { island in
            members(island: island).max { ($0.fitness, -$0.id) < ($1.fitness, -$1.id) }.map { ($0.id, (island + 1) % config.islands) }
        }
    }
}
