/// A policy's results over a scenario set, in file order, with the set's summary statistics.
public struct SpotSetResult: Sendable {
    public var results: [SpotRunResult]

    public init(results: [SpotRunResult]) { self.results = results }

    /// Mean cost in $ (the public evaluator's score, negated).
    public var meanCost: Double {
        results.isEmpty ? 0 : results.reduce(0) { $0 + $1.cost } / Double(results.count)
    }

    /// Population standard deviation of the cost in $.
    public var stdCost: Double {
        guard !results.isEmpty else { return 0 }
        let mean = meanCost
        let variance = results.reduce(0) { $0 + ($1.cost - mean) * ($1.cost - mean) } / Double(results.count)
        return variance.squareRoot()
    }

    /// Scenarios that did not finish by their deadline.
    public var deadlineMisses: Int { results.reduce(0) { $0 + ($1.deadlineMet ? 0 : 1) } }
}

extension BuiltinSpotPolicy {
    /// Runs a fresh instance of this policy on every scenario of `set`, in order.
    /// - Complexity: O(total ticks simulated).
    public func run(_ set: SpotScenarioSet) -> SpotSetResult {
        run(set.scenarios, gapSeconds: set.gapSeconds)
    }

    /// Runs a fresh instance of this policy on each scenario, in order.
    public func run(_ scenarios: [SpotScenario], gapSeconds: Double) -> SpotSetResult {
        var results: [SpotRunResult] = []
        results.reserveCapacity(scenarios.count)
        for scenario in scenarios {
            results.append(run(window: scenario.window, gapSeconds: gapSeconds, job: scenario.job))
        }
        return SpotSetResult(results: results)
    }
}
