import Foundation
import CandidateAPI
import Sim
import SimCore

/// `simulate spot --trace` output.
public struct SpotWindowReport: Encodable, Sendable {
    public var policy: String
    public var trace: String
    public var startTick: Int
    public var windowTicks: Int
    public var gapSeconds: Double
    public var result: SpotRunResult
    public var history: [SpotTickRecord]?

    public init(policy: String, trace: String, startTick: Int, windowTicks: Int, gapSeconds: Double, result: SpotRunResult,
                history: [SpotTickRecord]?) {
        self.policy = policy
        self.trace = trace
        self.startTick = startTick
        self.windowTicks = windowTicks
        self.gapSeconds = gapSeconds
        self.result = result
        self.history = history
    }

    enum CodingKeys: String, CodingKey {
        case policy, trace, startTick = "start_tick", windowTicks = "window_ticks", cost
        case finishHours = "finish_hours", deadlineMet = "deadline_met", finished, ticks
        case spotTicks = "spot_ticks", onDemandTicks = "on_demand_ticks", history
    }

    public var finishHours: Double { Double(result.endTick) * gapSeconds / 3600 }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(policy, forKey: .policy)
        try c.encode(trace, forKey: .trace)
        try c.encode(startTick, forKey: .startTick)
        try c.encode(windowTicks, forKey: .windowTicks)
        try c.encode(result.cost, forKey: .cost)
        try c.encode(finishHours, forKey: .finishHours)
        try c.encode(result.deadlineMet, forKey: .deadlineMet)
        try c.encode(result.finished, forKey: .finished)
        try c.encode(result.ticks, forKey: .ticks)
        try c.encode(result.spotTicks, forKey: .spotTicks)
        try c.encode(result.onDemandTicks, forKey: .onDemandTicks)
        if let history {
            try c.encode(history.map(HistoryRow.init), forKey: .history)
        }
    }

    /// Runs `policy` over one window of the trace at `url` (from `startTick`, `ticks` long or to
    /// the trace's end), recording each tick when `history`.
    /// - Throws: `SimError` for a window outside the trace or too short for the job.
    public init(_ policy: BuiltinSpotPolicy, trace url: URL, startTick: Int, ticks: Int?, job: SpotJob, history: Bool) throws {
        let trace = try SpotTrace.load(from: url)
        // Default: to the end of the trace (a start past the end is reported by `window`).
        let length = ticks ?? (startTick >= 0 && startTick < trace.tickCount ? trace.tickCount - startTick : 1)
        let window = try trace.window(start: startTick, ticks: length, name: url.path)
        try SpotSimulator.validate(windowTicks: length, gapSeconds: trace.gapSeconds, job: job, name: url.path)
        var rows: [SpotTickRecord] = []
        let result = policy.run(window: window, gapSeconds: trace.gapSeconds, job: job, record: history ? { rows.append($0) } : nil)
        self.init(policy: policy.rawValue, trace: url.path, startTick: startTick, windowTicks: length, gapSeconds: trace.gapSeconds,
                  result: result, history: history ? rows : nil)
    }

    /// One history row, with the reference histories' column names.
    struct HistoryRow: Encodable {
        var tick: Int
        var last: String
        var costSoFar: Double
        var workSeconds: Double
        var rroSeconds: Double
        var decision: String

        enum CodingKeys: String, CodingKey {
            case tick, last, decision, costSoFar = "cost_so_far", workSeconds = "work_seconds", rroSeconds = "rro_seconds"
        }

        init(_ r: SpotTickRecord) {
            tick = r.tick
            last = r.last.referenceName
            costSoFar = r.costSoFar
            workSeconds = r.workSeconds
            rroSeconds = r.remainingOverheadSeconds
            decision = r.decision.referenceName
        }
    }

    public var text: String {
        var table = TextTable(headers: ["policy", "cost $", "finish h", "deadline", "spot ticks", "on-demand ticks"])
        table.append([policy, fixed(result.cost, 4), fixed(finishHours, 2),
                      result.deadlineMet ? "met" : "MISSED",
                      "\(result.spotTicks)", "\(result.onDemandTicks)"])
        var lines = ["\(trace) window [\(startTick), \(startTick + windowTicks))", table.render()]
        if let history {
            var rows = TextTable(headers: ["tick", "last", "decision", "cost so far $", "work s", "rro s"])
            for r in history {
                rows.append(["\(r.tick)", r.last.referenceName, r.decision.referenceName,
                             fixed(r.costSoFar, 6), fixed(r.workSeconds, 1),
                             fixed(r.remainingOverheadSeconds, 1)])
            }
            lines.append(rows.render())
        }
        return lines.joined(separator: "\n")
    }
}

/// `simulate spot --scenarios` output.
public struct SpotSetReport: Encodable, Sendable {
    public var policy: String
    public var set: SpotScenarioSet
    public var outcome: SpotSetResult

    public init(policy: String, set: SpotScenarioSet, outcome: SpotSetResult) {
        self.policy = policy
        self.set = set
        self.outcome = outcome
    }

    public struct Row: Encodable, Sendable {
        var env: String
        var traceID: Int
        var startTick: Int
        var deadlineHours: Double
        var restartOverheadHours: Double
        var cost: Double
        var finishHours: Double
        var deadlineMet: Bool
        var ticks: Int

        enum CodingKeys: String, CodingKey {
            case env, cost, ticks, traceID = "trace_id", startTick = "start_tick", deadlineHours = "deadline_hours"
            case restartOverheadHours = "restart_overhead_hours", finishHours = "finish_hours", deadlineMet = "deadline_met"
        }
    }

    enum CodingKeys: String, CodingKey {
        case policy, scenarioSet = "scenario_set", file, count, meanCost = "mean_cost"
        case stdCost = "std_cost", deadlineMisses = "deadline_misses", results
    }

    public var rows: [Row] {
        zip(set.scenarios, outcome.results).map { s, r in
            Row(env: s.env, traceID: s.traceID, startTick: s.startTick,
                deadlineHours: s.deadlineHours, restartOverheadHours: s.overheadHours,
                cost: r.cost, finishHours: Double(r.endTick) * set.gapSeconds / 3600,
                deadlineMet: r.deadlineMet, ticks: r.ticks)
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(policy, forKey: .policy)
        try c.encode(set.name, forKey: .scenarioSet)
        try c.encode(set.source.path, forKey: .file)
        try c.encode(outcome.results.count, forKey: .count)
        try c.encode(outcome.meanCost, forKey: .meanCost)
        try c.encode(outcome.stdCost, forKey: .stdCost)
        try c.encode(outcome.deadlineMisses, forKey: .deadlineMisses)
        try c.encode(rows, forKey: .results)
    }

    /// A summary per (deadline, overhead) group, then the overall line.
    public var text: String {
        struct Group: Hashable, Comparable {
            var deadline: Double
            var overhead: Double
            static func < (a: Group, b: Group) -> Bool { (a.deadline, a.overhead) < (b.deadline, b.overhead) }
        }
        var groups: [Group: [Double]] = [:]
        for (s, r) in zip(set.scenarios, outcome.results) {
            groups[Group(deadline: s.deadlineHours, overhead: s.overheadHours), default: []].append(r.cost)
        }
        var table = TextTable(headers: ["group", "scenarios", "mean cost $"])
        for group in groups.keys.sorted() {
            let costs = groups[group]!
            table.append(["deadline \(group.deadline) h, overhead \(group.overhead) h", "\(costs.count)",
                          fixed(costs.reduce(0, +) / Double(costs.count), 4)])
        }
        table.append(["all", "\(outcome.results.count)", fixed(outcome.meanCost, 4)])
        return """
            \(policy) on \(set.name) (\(set.source.lastPathComponent))
            \(table.render())
            mean cost \(fixed(outcome.meanCost, 4)) $, std \(fixed(outcome.stdCost, 4)) $, \
            deadline misses \(outcome.deadlineMisses)
            """
    }
}

extension Cluster {
    /// The reference simulator's name for this type.
    public var referenceName: String {
        switch self {
        case .none: return "NONE"
        case .spot: return "SPOT"
        case .onDemand: return "ON_DEMAND"
        }
    }
}
