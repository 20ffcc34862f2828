import Sim
import SimCore

/// The spot problem's three levels over one search set.
///
/// - `cost_model`: probe windows, one per (environment, deadline, overhead) stratum, at a tick
///   `mergeFactor` times coarser: a merged tick has spot only if all its ticks had. Buckets are
///   aligned on the base trace's clock, so scenarios on one trace still share one clock.
/// - `coarse`: a seeded stratified sample of the scenarios at native ticks: `coarseShare` of a
///   small set, `researchCoarseShare` of one over `researchScale` scenarios (1,152 of the 43,200
///   research scenarios, each stratum's share rounded: about the published adrs-1080 set's size,
///   at a fortieth of the fine cost).
/// - `fine`: every scenario at native ticks.
///
/// Deadline misses fail a candidate at the coarse and fine levels (a late policy is not a
/// cheaper one); the cost model's merged ticks only approximate the schedule, so there misses
/// are a metric, not a failure.
public enum SpotLevels {
    public static let mergeFactor = 6
    public static let coarseShare = 0.1
    public static let researchCoarseShare = 0.025
    public static let researchScale = 5_000

    /// The levels, cheapest first. The cost model is left out when no window of the set is long
    /// enough once its ticks are merged (every level then still runs on valid inputs).
    public static func make(search set: SpotScenarioSet, seed: UInt64 = 0) throws -> [SpotFidelityLevel] {
        var levels: [SpotFidelityLevel] = []
        if let probes = costModelSet(set) {
            levels.append(SpotFidelityLevel(name: "cost_model", set: probes, failOnDeadlineMiss: false))
        }
        levels.append(SpotFidelityLevel(name: "coarse", set: coarseSet(set, seed: seed), failOnDeadlineMiss: true))
        levels.append(SpotFidelityLevel(name: "fine", set: set, failOnDeadlineMiss: true))
        return levels
    }

    /// One scenario per stratum whose merged window can still hold the job, its window merged
    /// `mergeFactor` ticks to one; `nil` when none can.
    static func costModelSet(_ set: SpotScenarioSet) -> SpotScenarioSet? {
        let k = mergeFactor
        var seen = Set<String>()
        var probes: [SpotScenario] = []
        for scenario in set.scenarios {
            let stratum = "\(scenario.env)|\(scenario.deadlineHours)|\(scenario.overheadHours)"
            guard !seen.contains(stratum) else { continue }
            let first = scenario.startTick / k
            let last = (scenario.startTick + scenario.ticks + k - 1) / k  // exclusive
            let base = scenario.window.startIndex - scenario.startTick  // index of native tick 0
            var merged: [UInt8] = []
            merged.reserveCapacity(last - first)
            for bucket in first ..< last {
                var unavailable: UInt8 = 0
                for tick in (bucket * k) ..< ((bucket + 1) * k)
                where tick >= scenario.startTick && tick < scenario.startTick + scenario.ticks {
                    unavailable |= scenario.window[base + tick]
                }
                merged.append(unavailable)
            }
            var probe = scenario
            probe.startTick = first
            probe.ticks = merged.count
            probe.window = merged[...]
            guard merged.count >= probe.job.requiredTicks(gapSeconds: set.gapSeconds * Double(k)) else { continue }
            seen.insert(stratum)
            probes.append(probe)
        }
        guard !probes.isEmpty else { return nil }
        var coarse = set
        coarse.name = set.name + " (cost model)"
        coarse.gapSeconds = set.gapSeconds * Double(k)
        coarse.scenarios = probes
        return coarse
    }

    /// `coarseShare` (or `researchCoarseShare`) of each (environment, deadline, overhead)
    /// stratum, at least one, chosen with a seeded shuffle; file order is kept.
    static func coarseSet(_ set: SpotScenarioSet, seed: UInt64) -> SpotScenarioSet {
        let share = set.scenarios.count > researchScale ? researchCoarseShare : coarseShare
        var strata: [String: [Int]] = [:]
        var order: [String] = []
        for (i, s) in set.scenarios.enumerated() {
            let key = "\(s.env)|\(s.deadlineHours)|\(s.overheadHours)"
            if strata[key] == nil { order.append(key) }
            strata[key, default: []].append(i)
        }
        var rng = SeededGenerator(seed: seed)
        var chosen: [Int] = []
        for key in order {
            var members = strata[key]!
            rng.shuffle(&members)
            let take = max(1, Int((Double(members.count) * share).rounded()))
            chosen += members.prefix(take)
        }
        var coarse = set
        coarse.name = set.name + " (coarse)"
        coarse.scenarios = chosen.sorted().map { set.scenarios[$0] }
        return coarse
    }
}

/// A spot level: a scenario set the candidate runs on, and its rules.
public struct SpotFidelityLevel: FidelityLevel {
    public let name: String
    public let set: SpotScenarioSet
    public let failOnDeadlineMiss: Bool
    /// The greedy template's results on this level's inputs, computed once: the gates' reference
    /// and the baseline of the worst-scenario notes.
    let reference: SpotSetResult

    public init(name: String, set: SpotScenarioSet, failOnDeadlineMiss: Bool) {
        self.name = name
        self.set = set
        self.failOnDeadlineMiss = failOnDeadlineMiss
        reference = BuiltinSpotPolicy.greedy.run(set)
    }

    public var metrics: [LevelMetric] {
        [LevelMetric(name: "mean_cost", lowerIsBetter: true), LevelMetric(name: "deadline_misses", lowerIsBetter: true)]
    }
    public var primaryMetric: String { "mean_cost" }

    public var sequentialMetrics: [String] { ["mean_cost"] }

    /// The sampling units of a sequential gate: the scenarios of each base trace file, whose
    /// windows may overlap and so must run together (in first-appearance order).
    var units: [[Int]] {
        var byTrace: [String: Int] = [:]
        var units: [[Int]] = []
        for (i, s) in set.scenarios.enumerated() {
            let key = s.baseTracePath
            if let u = byTrace[key] { units[u].append(i) } else { byTrace[key] = units.count; units.append([i]) }
        }
        return units
    }

    public func run(_ candidate: CompiledCandidate, sandbox: Sandbox, budget: StageBudget?, test: SequentialTest?) throws
        -> LevelResult {
        let session = try sandbox.limited(to: budget).start(executable: candidate.executable)
        let units = self.units
        let batches = test.map { $0.batches(ofUnits: units.count).map { $0.flatMap { units[$0] } } }
            ?? [Array(set.scenarios.indices)]
        var verdict: SequentialTest.Verdict?
        let outcome = SpotCandidateRunner(set: set).run(session, batches: batches) { results in
            if let test {
                let done = units.filter { results[$0[0]] != nil }.map { unit in
                    SequentialTest.Unit(value: unit.reduce(0) { $0 + results[$1]!.cost },
                                        reference: unit.reduce(0) { $0 + reference.results[$1].cost }, items: unit.count)
                }
                verdict = test.decide(done, unitsTotal: units.count, itemsTotal: set.scenarios.count)
            }
            // A late finish fails the level whatever the gate would say.
            if failOnDeadlineMiss && results.contains(where: { $0.map { !$0.deadlineMet } ?? false }) { return false }
            return verdict.map { $0.decision == .undecided } ?? true
        }
        let seconds = monotonicSeconds() - session.startTime
        let log = session.logText
        let results: [SpotRunResult?]
        switch outcome {
        case .failure(let failure):
            return LevelResult(level: name, metrics: [:], failure: failure, seconds: seconds, score: nil, artifacts: [], log: log)
        case .success(let r):
            results = r
        }
        let ran = results.indices.filter { results[$0] != nil }
        let late = ran.filter { !results[$0]!.deadlineMet }
        let metrics = ["mean_cost": SpotSetResult(results: ran.map { results[$0]! }).meanCost,
                       "deadline_misses": Double(late.count)]
        let failure = failOnDeadlineMiss && !late.isEmpty
            ? CandidateFailure(.deadlineMiss, "\(late.count) of \(ran.count) scenarios run finished after their deadline "
                + "(first: \(describe(late[0])))")
            : nil
        let score = ran.count == results.count ? SpotSetResult(results: results.map { $0! }) : nil
        let referenceOnItemsRun = score == nil
            ? ["mean_cost": SpotSetResult(results: ran.map { reference.results[$0] }).meanCost,
               "deadline_misses": Double(ran.filter { !reference.results[$0].deadlineMet }.count)]
            : nil
        return LevelResult(level: name, metrics: metrics, failure: failure, seconds: seconds,
                           score: score.map(CandidateScore.init), artifacts: name == "fine" ? worst(results) : [], log: log,
                           sequential: verdict, items: (ran.count, results.count), referenceOnItemsRun: referenceOnItemsRun)
    }

    public func referenceMetrics() -> [String: Double] {
        ["mean_cost": reference.meanCost, "deadline_misses": Double(reference.deadlineMisses)]
    }

    /// A scenario named by what identifies it in any set (its position differs between a sample
    /// and the full file).
    func describe(_ i: Int) -> String {
        let s = set.scenarios[i]
        return "\(s.env) window \(s.traceID) (\(s.baseTrace) from tick \(s.startTick)), deadline \(s.deadlineHours) h, "
            + "overhead \(s.overheadHours) h"
    }

    /// The five scenarios (of those run) where the candidate paid most over the greedy baseline.
    func worst(_ results: [SpotRunResult?]) -> [String] {
        let greedy = reference.results
        let excess = results.indices.compactMap { i in results[i].map { (i, $0.cost - greedy[i].cost) } }
        return excess.sorted { $0.1 > $1.1 }.prefix(5).map { i, extra in
            let r = results[i]!
            let gap = set.gapSeconds
            return "\(describe(i)): cost \(fixed4(r.cost)) $ vs greedy \(fixed4(greedy[i].cost)) $ (+\(fixed4(extra))); "
                + "\(r.spotTicks) spot and \(r.onDemandTicks) on-demand ticks; "
                + (r.finished ? "finished at \(fixed4(Double(r.endTick) * gap / 3600)) h" : "unfinished")
        }
    }

    private func fixed4(_ x: Double) -> String { String((x * 1e4).rounded() / 1e4 + 0.0) }
}
