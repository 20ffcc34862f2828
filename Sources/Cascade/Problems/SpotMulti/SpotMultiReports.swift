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
    public struct Scenario: Encodable, Sendable { var name: String; var mean_cost: Double }
    public struct Run: Encodable, Sendable { var scenario: String; var trace: Int; var cost: Double; var finish_hours: Double; var deadline_met: Bool }
    public var policy: String
    public var model: String
    public var scenario_set: String
    public var mean_cost: Double
    public var deadline_misses: Int
    public var scenarios: [Scenario]
    public var results: [Run]

    public init(policy: String, model: MultiRegionModel, set: MultiRegionScenarioSet, result: MultiRegionSetResult) {
        self.policy = policy
        self.model = model.rawValue
        scenario_set = set.name
        mean_cost = result.meanCost
        deadline_misses = result.deadlineMisses
        scenarios = result.scenarioMeans.map { Scenario(name: $0.name, mean_cost: $0.meanCost) }
        results = zip(result.runs, result.results).map { run, r in
            Run(scenario: run.scenario, trace: run.traceIndex, cost: r.cost, finish_hours: Double(r.endTick) * set.gapSeconds / 3600,
                deadline_met: r.deadlineMet)
        }
    }

    public var text: String {
        var table = TextTable(headers: ["scenario", "mean cost ($)"])
        for s in scenarios { table.append([s.name, fixed(s.mean_cost, 4)]) }
        return "\(policy) on \(scenario_set) (\(model) model): mean cost \(fixed(mean_cost, 4)) $, "
            + "\(deadline_misses) deadline miss\(deadline_misses == 1 ? "" : "es") in \(results.count) runs\n" + table.render()
    }
}
