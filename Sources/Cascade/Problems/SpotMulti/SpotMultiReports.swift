import CandidateAPI
import Foundation
import Sim
import SimCore

extension MultiRegionModel {
    /// `--migration-overhead-hours` in seconds, checked against the model.
    /// - Throws: `SimError.invalidParameter` for a negative or huge overhead, or one under the
    ///   reference model (which has none).
    public func migrationSeconds(hours: Double) throws -> Double {
        guard hours.isFinite, hours >= 0, hours <= SpotJob.maximumHours else {
            throw SimError.invalidParameter(name: "--migration-overhead-hours", value: "\(hours)", reason: "must be a number of hours ≥ 0")
        }
        if hours > 0 && self == .reference {
            throw SimError.invalidParameter(name: "--migration-overhead-hours", value: "\(hours)",
                                            reason: "cannot be used with --model reference (which has no migration overhead)")
        }
        return hours * 3600
    }
}

/// `simulate spot-multi`'s output (and `eval --problem spot-multi`'s fields).
public struct MultiRegionReport: Encodable, Sendable {
    public struct Scenario: Encodable, Sendable {
        public var name: String
        public var meanCost: Double
        enum CodingKeys: String, CodingKey { case name, meanCost = "mean_cost" }
    }
    public struct Run: Encodable, Sendable {
        public var scenario: String
        public var trace: Int
        public var cost: Double
        public var finishHours: Double
        public var deadlineMet: Bool
        enum CodingKeys: String, CodingKey { case scenario, trace, cost, finishHours = "finish_hours", deadlineMet = "deadline_met" }
    }
    public var policy: String
    public var model: String
    public var scenarioSet: String
    public var meanCost: Double
    public var deadlineMisses: Int
    public var scenarios: [Scenario]
    public var results: [Run]

    enum CodingKeys: String, CodingKey {
        case policy, model, scenarios, results
        case scenarioSet = "scenario_set", meanCost = "mean_cost", deadlineMisses = "deadline_misses"
    }

    public init(policy: String, model: MultiRegionModel, set: MultiRegionScenarioSet, result: MultiRegionSetResult) {
        self.policy = policy
        self.model = model.rawValue
        scenarioSet = set.name
        meanCost = result.meanCost
        deadlineMisses = result.deadlineMisses
        scenarios = result.scenarioMeans.map { Scenario(name: $0.name, meanCost: $0.meanCost) }
        results = zip(result.runs, result.results).map { run, r in
            Run(scenario: run.scenario, trace: run.traceIndex, cost: r.cost, finishHours: Double(r.endTick) * set.gapSeconds / 3600,
                deadlineMet: r.deadlineMet)
        }
    }

    public var text: String {
        var table = TextTable(headers: ["scenario", "mean cost ($)"])
        for s in scenarios { table.append([s.name, fixed(s.meanCost, 4)]) }
        return "\(policy) on \(scenarioSet) (\(model) model): mean cost \(fixed(meanCost, 4)) $, "
            + "\(deadlineMisses) deadline miss\(deadlineMisses == 1 ? "" : "es") in \(results.count) runs\n" + table.render()
    }
}
