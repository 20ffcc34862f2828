import CandidateAPI
import SimCore

/// The built-in multi-region policies, by name.
public enum BuiltinMultiRegionPolicy: String, CaseIterable, Sendable {
    case roundRobin = "round-robin"
    case uniformProgressMulti = "uniform-progress-multi"

    /// - Throws: `SimError.unknownPolicy` listing the built-in names.
    public init(named name: String) throws {
        guard let policy = BuiltinMultiRegionPolicy(rawValue: name) else {
            throw SimError.unknownPolicy(name, known: Self.allCases.map(\.rawValue))
        }
        self = policy
    }

    /// Runs a fresh instance on every run of `set`, in order.
    /// - Complexity: O(total ticks × regions).
    public func run(_ set: MultiRegionScenarioSet, model: MultiRegionModel, migrationOverheadSeconds: Double = 0) -> MultiRegionSetResult {
        MultiRegionSetResult(set: set, results: set.runs.map { input in
            switch self {
            case .roundRobin:
                var policy = RoundRobinPolicy()
                return MultiRegionRun.run(&policy, model: model, job: set.job, gapSeconds: set.gapSeconds, input: input,
                                          migrationOverheadSeconds: migrationOverheadSeconds)
            case .uniformProgressMulti:
                var policy = UniformProgressMultiPolicy()
                return MultiRegionRun.run(&policy, model: model, job: set.job, gapSeconds: set.gapSeconds, input: input,
                                          migrationOverheadSeconds: migrationOverheadSeconds)
            }
        })
    }
}

/// Results of one policy over a multi-region set, in file order, with the set's score.
public struct MultiRegionSetResult: Sendable {
    public var scenarios: [String]
    public var runs: [(scenario: String, traceIndex: Int)]
    public var results: [MultiRegionRunResult]

    public init(set: MultiRegionScenarioSet, results: [MultiRegionRunResult]) {
        scenarios = set.scenarios.map(\.name)
        runs = set.runs.map { ($0.scenario, $0.traceIndex) }
        self.results = results
    }

    /// Per scenario in file order: the left-to-right mean of its runs' costs.
    /// - Complexity: O(scenarios + runs).
    public var scenarioMeans: [(name: String, meanCost: Double)] {
        // Each scenario's costs still add left to right, in run order.
        var sums: [String: (sum: Double, count: Int)] = [:]
        for (k, run) in runs.enumerated() {
            sums[run.scenario, default: (0, 0)].sum += results[k].cost
            sums[run.scenario, default: (0, 0)].count += 1
        }
        return scenarios.map { name in (name, sums[name].map { $0.sum / Double($0.count) } ?? .nan) }
    }

    /// The score: the left-to-right mean of the scenario means.
    public var meanCost: Double {
        let means = scenarioMeans
        var sum = 0.0
        for m in means { sum += m.meanCost }
        return sum / Double(means.count)
    }

    public var deadlineMisses: Int { results.reduce(0) { $0 + ($1.deadlineMet ? 0 : 1) } }
}
