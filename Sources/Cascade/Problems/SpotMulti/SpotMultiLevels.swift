import CandidateAPI
import Sim
import SimCore

/// The multi-region spot problem's three levels over one search set, under one model.
///
/// - `cost_model`: one trace per scenario, `mergeFactor` ticks merged into one (spot only if
///   every tick had it; the price their mean).
/// - `coarse`: a seeded quarter of each scenario's traces (at least one) at native ticks; a
///   tenth of a research-scale set's (over `researchScale` runs): 24 of 240 runs, as many as
///   the small set has in all.
/// - `fine`: every run.
///
/// Late finishes fail a candidate at the coarse and fine levels; at the cost model's merged ticks
/// they are a metric only.
public enum SpotMultiLevels {
    public static let mergeFactor = 6
    public static let coarseShare = 0.25
    public static let researchCoarseShare = 0.1
    public static let researchScale = 100

    public static func make(search set: MultiRegionScenarioSet, model: MultiRegionModel, migrationOverheadSeconds: Double = 0,
                            seed: UInt64 = 0) -> [SpotMultiFidelityLevel] {
        var levels: [SpotMultiFidelityLevel] = []
        if let probes = costModelSet(set) {
            levels.append(SpotMultiFidelityLevel(name: "cost_model", set: probes, model: model, migrationOverheadSeconds: migrationOverheadSeconds,
                                                 failOnDeadlineMiss: false))
        }
        levels.append(SpotMultiFidelityLevel(name: "coarse", set: coarseSet(set, seed: seed), model: model,
                                             migrationOverheadSeconds: migrationOverheadSeconds, failOnDeadlineMiss: true))
        levels.append(SpotMultiFidelityLevel(name: "fine", set: set, model: model, migrationOverheadSeconds: migrationOverheadSeconds,
                                             failOnDeadlineMiss: true))
        return levels
    }

    /// The set restricted to `runs` (indices into `set.runs`), scenarios without a run left out.
    static func subset(_ set: MultiRegionScenarioSet, _ runs: [Int], name: String) -> MultiRegionScenarioSet {
        var sub = set
        sub.name = set.name + " (\(name))"
        sub.runs = runs.map { set.runs[$0] }
        let kept = Set(sub.runs.map(\.scenario))
        sub.scenarios = set.scenarios.filter { kept.contains($0.name) }.map { s in
            var s = s
            s.traces = sub.runs.filter { $0.scenario == s.name }.map(\.traceIndex)
            return s
        }
        return sub
    }

    static func coarseSet(_ set: MultiRegionScenarioSet, seed: UInt64) -> MultiRegionScenarioSet {
        var rng = SeededGenerator(seed: seed)
        var chosen: [Int] = []
        let share = set.runs.count > researchScale ? researchCoarseShare : coarseShare
        for scenario in set.scenarios {
            var members = set.runs.indices.filter { set.runs[$0].scenario == scenario.name }
            rng.shuffle(&members)
            chosen += members.prefix(max(1, Int((Double(members.count) * share).rounded())))
        }
        return subset(set, chosen.sorted(), name: "coarse")
    }

    /// The first run of each scenario at `mergeFactor`-times coarser ticks; nil when the merged
    /// traces cannot hold the job.
    static func costModelSet(_ set: MultiRegionScenarioSet) -> MultiRegionScenarioSet? {
        let k = mergeFactor
        var probes: [Int] = []
        for scenario in set.scenarios {
            if let first = set.runs.firstIndex(where: { $0.scenario == scenario.name }) { probes.append(first) }
        }
        var merged = subset(set, probes, name: "cost model")
        merged.gapSeconds = set.gapSeconds * Double(k)
        for r in merged.runs.indices {
            let run = merged.runs[r]
            let buckets = (run.ticks + k - 1) / k
            merged.runs[r].unavailable = run.unavailable.map { u in
                (0..<buckets).map { b in u[(b * k) ..< min((b + 1) * k, run.ticks)].reduce(0) { $0 | $1 } }
            }
            merged.runs[r].prices = run.prices.map { p in
                (0..<buckets).map { b in
                    let slice = p[(b * k) ..< min((b + 1) * k, run.ticks)]
                    return slice.reduce(0, +) / Double(slice.count)
                }
            }
            guard buckets >= set.job.requiredTicks(gapSeconds: merged.gapSeconds) else { return nil }
        }
        return merged
    }
}

/// A multi-region level: the runs a candidate is scored on, the model, and its rules.
public struct SpotMultiFidelityLevel: FidelityLevel {
    public let name: String
    public let set: MultiRegionScenarioSet
    public let model: MultiRegionModel
    public let migrationOverheadSeconds: Double
    public let failOnDeadlineMiss: Bool
    /// The round-robin template's results on this level's runs: the gates' reference.
    let reference: MultiRegionSetResult

    public init(name: String, set: MultiRegionScenarioSet, model: MultiRegionModel, migrationOverheadSeconds: Double,
                failOnDeadlineMiss: Bool) {
        self.name = name
        self.set = set
        self.model = model
        self.migrationOverheadSeconds = migrationOverheadSeconds
        self.failOnDeadlineMiss = failOnDeadlineMiss
        reference = BuiltinMultiRegionPolicy.roundRobin.run(set, model: model, migrationOverheadSeconds: migrationOverheadSeconds)
    }

    public var metrics: [LevelMetric] {
        [LevelMetric(name: "mean_cost", lowerIsBetter: true), LevelMetric(name: "deadline_misses", lowerIsBetter: true)]
    }
    public var primaryMetric: String { "mean_cost" }

    /// Runs each scenario in its own sandboxed child: scenarios share region files (the same
    /// trace index of the same region), so one process answering two of them could pass one
    /// run's observation of a region to another run that may not observe it. The stage's wall
    /// budget is shared by the scenarios' children.
    public func run(_ candidate: CompiledCandidate, sandbox: Sandbox, budget: StageBudget?, test: SequentialTest?) throws -> LevelResult {
        let start = monotonicSeconds()
        var results = [MultiRegionRunResult?](repeating: nil, count: set.runs.count)
        var log = ""
        for scenario in set.scenarios {
            let indices = set.runs.indices.filter { set.runs[$0].scenario == scenario.name }
            var remaining = budget
            if let budget {
                remaining?.wallSeconds = max(budget.wallSeconds - (monotonicSeconds() - start), 0.001)
            }
            let session = try sandbox.limited(to: remaining).start(executable: candidate.executable)
            let outcome = SpotMultiCandidateRunner(set: SpotMultiLevels.subset(set, indices, name: scenario.name), model: model,
                                                   migrationOverheadSeconds: migrationOverheadSeconds).run(session)
            log += session.logText
            switch outcome {
            case .failure(let failure):
                return LevelResult(level: name, metrics: [:], failure: failure, seconds: monotonicSeconds() - start, score: nil,
                                   artifacts: [], log: log)
            case .success(let r):
                for (k, i) in indices.enumerated() { results[i] = r.results[k] }
            }
        }
        let seconds = monotonicSeconds() - start
        let result = MultiRegionSetResult(set: set, results: results.map { $0! })
        let late = result.results.indices.filter { !result.results[$0].deadlineMet }
        let failure = failOnDeadlineMiss && !late.isEmpty
            ? CandidateFailure(.deadlineMiss, "\(late.count) of \(result.results.count) runs finished after their deadline (first: "
                + "\(set.runs[late[0]].scenario) trace \(set.runs[late[0]].traceIndex))")
            : nil
        return LevelResult(level: name, metrics: ["mean_cost": result.meanCost, "deadline_misses": Double(late.count)], failure: failure,
                           seconds: seconds, score: CandidateScore(result), artifacts: name == "fine" ? worst(result) : [], log: log,
                           items: (result.results.count, result.results.count))
    }

    public func referenceMetrics() -> [String: Double] {
        ["mean_cost": reference.meanCost, "deadline_misses": Double(reference.deadlineMisses)]
    }

    /// The five runs where the candidate paid most over round-robin.
    func worst(_ result: MultiRegionSetResult) -> [String] {
        let excess = result.results.indices.map { ($0, result.results[$0].cost - reference.results[$0].cost) }
        return excess.sorted { $0.1 > $1.1 }.prefix(5).map { i, extra in
            let r = result.results[i]
            return "\(set.runs[i].scenario) trace \(set.runs[i].traceIndex): cost \(round4(r.cost)) $ vs round-robin "
                + "\(round4(reference.results[i].cost)) $ (+\(round4(extra))); finished at \(round4(Double(r.endTick) * set.gapSeconds / 3600)) h"
        }
    }

    private func round4(_ x: Double) -> String { String((x * 1e4).rounded() / 1e4 + 0.0) }
}
