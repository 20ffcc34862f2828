import Foundation
import Sim
import SimCore

/// `compare spot`: built-in policies side by side on one scenario set, against on-demand only.
public struct SpotComparison: Encodable, Sendable {
    public struct Row: Encodable, Sendable {
        public var policy: String
        public var meanCost: Double
        public var stdCost: Double
        public var deadlineMisses: Int
        public var savingsVsOnDemandPercent: Double

        enum CodingKeys: String, CodingKey {
            case policy, meanCost = "mean_cost", stdCost = "std_cost", deadlineMisses = "deadline_misses"
            case savingsVsOnDemandPercent = "savings_vs_on_demand_percent"
        }
    }

    public var scenarioSet: String
    public var file: String
    public var count: Int
    public var onDemandMeanCost: Double
    public var policies: [Row]

    enum CodingKeys: String, CodingKey {
        case file, count, policies, scenarioSet = "scenario_set", onDemandMeanCost = "on_demand_mean_cost"
    }

    /// Runs each policy (and on-demand) over `set`. - Complexity: one simulation of the set per policy.
    public init(_ policies: [BuiltinSpotPolicy], on set: SpotScenarioSet) {
        let baseline = BuiltinSpotPolicy.onDemand.run(set).meanCost
        self.policies = policies.map { policy in
            let outcome = policy.run(set)
            return Row(policy: policy.rawValue, meanCost: outcome.meanCost, stdCost: outcome.stdCost,
                       deadlineMisses: outcome.deadlineMisses, savingsVsOnDemandPercent: (1 - outcome.meanCost / baseline) * 100)
        }
        scenarioSet = set.name
        file = set.source.path
        count = set.scenarios.count
        onDemandMeanCost = baseline
    }

    public var text: String {
        var table = TextTable(headers: ["policy", "mean cost $", "std $", "deadline misses", "saved vs on-demand"])
        for row in policies {
            table.append([row.policy, fixed(row.meanCost, 4), fixed(row.stdCost, 4),
                          "\(row.deadlineMisses)", fixed(row.savingsVsOnDemandPercent, 1) + " %"])
        }
        return """
            \(scenarioSet): \(count) scenarios from \(file)
            on-demand only: \(fixed(onDemandMeanCost, 4)) $ per scenario
            \(table.render())
            """
    }
}
