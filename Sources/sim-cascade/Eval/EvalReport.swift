import Cascade
import Sim

/// `eval` output: the score with the field names of the matching `simulate`, or the failure.
struct EvalReport: Encodable {
    var candidate: String
    var inputs: ProblemInputs
    var outcome: EvaluationOutcome

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ s: String) { stringValue = s }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    struct Failure: Encodable { var kind: String; var message: String }
    struct Timing: Encodable {
        var compile_seconds: Double
        var compile_cached: Bool
        var run_seconds: Double
    }
    struct TxnEntry: Encodable {
        var makespan: Int
        var schedule: [Int]
        var transactions: Int
        var runtime_seconds: Double
        /// The fine level's execution (2PL with lock waits and deadlock detection) of the schedule.
        var execution_makespan: Double?
        var throughput: Double?
        var aborts: Int?
        var lock_wait: Double?
    }
    struct PrefixEntry: Encodable {
        var table: String
        var rows: Int
        var hit_chars: Int
        var total_chars: Int
        var phr: Double
        var runtime_seconds: Double
        /// The fine level's KV-cache simulation.
        var block_hit_rate: Double?
        var blocks: Int?
        var saved_tokens: Int?
        var tokens: Int?
        var evictions: Int?
    }
    /// The fine EPLB level's step-level simulation.
    struct Serving: Encodable {
        var throughput_tokens_per_second: Double
        var mean_step_ms: Double
        var p99_step_ms: Double
        var steps: Int
        var moved_experts: Int
        var moving_ms: Double

        init(_ s: MoEStepResult) {
            throughput_tokens_per_second = s.throughput
            mean_step_ms = s.meanStepSeconds * 1e3
            p99_step_ms = s.p99StepSeconds * 1e3
            steps = s.steps
            moved_experts = s.movedExperts
            moving_ms = s.movingSeconds * 1e3
        }
    }
    struct Stage: Encodable {
        var level: String
        var status: String
        var metrics: [String: Double]
        var gate: String?
        var reference: Double?
        var threshold: Double?
        var seconds: Double
        var failure: Failure?
        var budget: StageBudget?
        var items_run: Int?
        var items_total: Int?
        var sequential: Sequential?

        struct Sequential: Encodable {
            var decision: String
            var units_run: Int
            var units_total: Int
            /// Per item, over the gate: positive is worse than the gate; `nil` when unbounded
            /// (one unit run).
            var mean_excess_low: Double?
            var mean_excess_high: Double?
        }

        init(_ s: StageReport) {
            level = s.level
            status = s.status.rawValue
            metrics = s.metrics
            gate = s.gate.map { "\($0.metric) ≤ \($0.factor) × reference" }
            reference = s.reference
            threshold = s.threshold
            seconds = s.seconds
            failure = s.failure.map { Failure(kind: $0.kind.rawValue, message: $0.message) }
            budget = s.budget
            items_run = s.items?.run
            items_total = s.items?.total
            sequential = s.sequential.map {
                Sequential(decision: $0.decision.rawValue, units_run: $0.unitsRun, units_total: $0.unitsTotal,
                           mean_excess_low: $0.meanExcess.lowerBound.isFinite ? $0.meanExcess.lowerBound : nil,
                           mean_excess_high: $0.meanExcess.upperBound.isFinite ? $0.meanExcess.upperBound : nil)
            }
        }
    }
    func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(outcome.valid, forKey: Key("valid"))
        try c.encode(outcome.problem.rawValue, forKey: Key("problem"))
        try c.encode(candidate, forKey: Key("candidate"))
        try c.encode(inputs.label, forKey: Key("inputs"))
        switch outcome.score {
        case .spot(let score)?:
            guard case .spot(let set) = inputs.candidateInputs else { break }
            try c.encode(set.name, forKey: Key("scenario_set"))
            try c.encode(set.scenarios.count, forKey: Key("count"))
            try c.encode(score.meanCost, forKey: Key("mean_cost"))
            try c.encode(score.stdCost, forKey: Key("std_cost"))
            try c.encode(score.deadlineMisses, forKey: Key("deadline_misses"))
            try c.encode(SpotSetReport(policy: "candidate", set: set, outcome: score).rows, forKey: Key("results"))
        case .spotMulti(let result)?:
            guard case .spotMulti(let set, let model, _) = inputs.candidateInputs else { break }
            let report = MultiRegionReport(policy: "candidate", model: model, set: set, result: result)
            try c.encode(report.model, forKey: Key("model"))
            try c.encode(report.scenario_set, forKey: Key("scenario_set"))
            try c.encode(report.mean_cost, forKey: Key("mean_cost"))
            try c.encode(report.deadline_misses, forKey: Key("deadline_misses"))
            try c.encode(report.scenarios, forKey: Key("scenarios"))
            try c.encode(report.results, forKey: Key("results"))
        case .eplb(let result)?:
            if inputs.isInstance, let only = result.scores.first {
                try c.encode(only.placement.phy2log, forKey: Key("phy2log"))
                try c.encode(only.placement.logcnt, forKey: Key("logcnt"))
                try c.encode(only.placement.log2phy, forKey: Key("log2phy"))
                try c.encode(only.balancedness.gpu, forKey: Key("balancedness_gpu"))
                try c.encode(only.balancedness.slot, forKey: Key("balancedness_slot"))
                try c.encode(only.runtimeSeconds, forKey: Key("runtime_seconds"))
            } else {
                try c.encode(result.windows, forKey: Key("windows"))
                try c.encode(inputs.window, forKey: Key("window"))
                try c.encode(result.meanGPU, forKey: Key("mean_balancedness_gpu"))
                try c.encode(result.meanSlot, forKey: Key("mean_balancedness_slot"))
                try c.encode(result.meanRuntime, forKey: Key("mean_runtime_seconds"))
                try c.encode(result.scores.map(SimulateEPLB.HistoryReport.Scored.init), forKey: Key("scored"))
            }
            if let serving = result.serving {
                try c.encode(Serving(serving), forKey: Key("serving"))
            }
        case .prefix(let scores)?:
            let entries = scores.map {
                PrefixEntry(table: $0.name, rows: $0.rows, hit_chars: $0.rate.hitChars, total_chars: $0.rate.totalChars,
                            phr: $0.rate.phr, runtime_seconds: $0.runtimeSeconds, block_hit_rate: $0.cache?.blockHitRate,
                            blocks: $0.cache?.blocks, saved_tokens: $0.cache?.savedTokens, tokens: $0.cache?.tokens,
                            evictions: $0.cache?.evictions)
            }
            if entries.count == 1 {
                try c.encode(entries[0].hit_chars, forKey: Key("hit_chars"))
                try c.encode(entries[0].total_chars, forKey: Key("total_chars"))
                try c.encode(entries[0].phr, forKey: Key("phr"))
                try c.encode(entries[0].runtime_seconds, forKey: Key("runtime_seconds"))
                try c.encodeIfPresent(entries[0].block_hit_rate, forKey: Key("block_hit_rate"))
                try c.encodeIfPresent(entries[0].saved_tokens, forKey: Key("saved_tokens"))
                try c.encodeIfPresent(entries[0].tokens, forKey: Key("tokens"))
                try c.encodeIfPresent(entries[0].evictions, forKey: Key("evictions"))
            } else {
                try c.encode(entries, forKey: Key("tables"))
            }
        case .txn(let scores)?:
            try c.encode(Dictionary(uniqueKeysWithValues: scores.map {
                ($0.name, TxnEntry(makespan: $0.makespan, schedule: $0.schedule, transactions: $0.schedule.count,
                                   runtime_seconds: $0.runtimeSeconds, execution_makespan: $0.execution?.makespan,
                                   throughput: $0.execution?.throughput, aborts: $0.execution?.aborts,
                                   lock_wait: $0.execution?.lockWait))
            }), forKey: Key("workloads"))
            if scores.allSatisfy({ $0.execution != nil }) {
                let executed = scores.reduce(0) { $0 + $1.levelMakespan }
                try c.encode(executed, forKey: Key("total_execution_makespan"))
                try c.encode(Double(scores.reduce(0) { $0 + $1.schedule.count }) / executed, forKey: Key("throughput"))
            }
            try c.encode(scores.reduce(0) { $0 + $1.makespan }, forKey: Key("total_makespan"))
            try c.encode(scores.reduce(0) { $0 + $1.runtimeSeconds }, forKey: Key("runtime_seconds"))
        case nil:
            break
        }
        if let failure = outcome.failure {
            try c.encode(Failure(kind: failure.kind.rawValue, message: failure.message), forKey: Key("failure"))
        }
        try c.encode(outcome.rejectedAt, forKey: Key("rejected_at"))
        try c.encode(outcome.stages.map(Stage.init), forKey: Key("stages"))
        let artifacts = outcome.stages.last { !$0.artifacts.isEmpty }?.artifacts ?? []
        if !artifacts.isEmpty {
            let key = switch outcome.problem {
            case .spot: "worst_scenarios"
            case .spotMulti: "worst_runs"
            case .prefix: "table_notes"
            case .eplb: "serving_notes"
            case .txn: "workload_notes"
            }
            try c.encode(artifacts, forKey: Key(key))
        }
        try c.encode(Timing(compile_seconds: outcome.compileSeconds, compile_cached: outcome.compileCached,
                            run_seconds: outcome.runSeconds), forKey: Key("timing"))
        try c.encode(outcome.sandbox.rawValue, forKey: Key("sandbox"))
        try c.encode(outcome.log, forKey: Key("log"))
    }

    var text: String {
        var lines = [
            "candidate: \(candidate) (\(outcome.problem.rawValue); compile \(outcome.compileCached ? "cached" : fixed(outcome.compileSeconds, 2) + " s"), run \(fixed(outcome.runSeconds, 3)) s, sandbox \(outcome.sandbox.rawValue))",
            "inputs: \(inputs.label)",
            "valid: \(outcome.valid)" + (outcome.rejectedAt.map { ", rejected at \($0)" } ?? ""),
        ]
        if outcome.stages.count > 1 || outcome.stages.first?.level != "fine" {
            let spot = outcome.problem == .spot
            var table = TextTable(headers: ["stage", "status", "metric", "gate threshold",
                                            spot ? "scenarios" : outcome.problem == .spotMulti ? "runs" : outcome.problem == .prefix ? "tables" : outcome.problem == .eplb ? "windows" : "workloads",
                                            "seconds", "budget s"])
            for s in outcome.stages {
                let items = s.items.map { $0.run == $0.total ? "\($0.total)" : "\($0.run) of \($0.total)" } ?? ""
                let metric = s.gate?.metric ?? s.primaryMetric
                let value = metric.flatMap { m in s.metrics[m].map { "\(m) \(fixed($0, 4))" } } ?? ""
                table.append([s.level, s.status.rawValue + (s.sequential.map { $0.unitsRun < $0.unitsTotal ? " (sequential)" : "" } ?? ""),
                              value, s.threshold.map { fixed($0, 4) } ?? "",
                              items, fixed(s.seconds, 3), s.budget.map { fixed($0.wallSeconds, 1) } ?? ""])
            }
            lines.append(table.render())
        }
        switch outcome.score {
        case .spot(let score)?:
            lines.append("mean_cost \(fixed(score.meanCost, 4)) $, std_cost \(fixed(score.stdCost, 4)) $, deadline_misses \(score.deadlineMisses)")
        case .spotMulti(let result)?:
            let model = { if case .spotMulti(_, let model, _) = inputs.candidateInputs { model.rawValue } else { "" } }()
            lines.append("mean_cost \(fixed(result.meanCost, 4)) $ (mean over scenarios, \(model) model), deadline_misses \(result.deadlineMisses); "
                + result.scenarioMeans.map { "\($0.name) \(fixed($0.meanCost, 4))" }.joined(separator: ", "))
        case .eplb(let result)?:
            if let serving = result.serving {
                lines.append("serving (step-level simulation): \(fixed(serving.throughput, 0)) tokens/s, mean step "
                    + "\(fixed(serving.meanStepSeconds * 1e3, 3)) ms, p99 \(fixed(serving.p99StepSeconds * 1e3, 3)) ms, "
                    + "\(serving.movedExperts) replicas moved")
            }
            lines.append("mean balancedness per GPU \(fixed(result.meanGPU, 6)), per slot \(fixed(result.meanSlot, 6)), "
                + "mean runtime \(fixed(result.meanRuntime * 1e3, 3)) ms over \(result.scores.count) placement(s)")
        case .prefix(let scores)?:
            for s in scores {
                lines.append("\(s.name): PHR \(fixed(s.rate.phr * 100, 2)) % (\(s.rate.hitChars) of \(s.rate.totalChars) chars), "
                    + "runtime \(fixed(s.runtimeSeconds * 1e3, 2)) ms"
                    + (s.cache.map { "; KV cache (\(KVCacheModel().capacityBlocks) blocks of \(KVCacheModel().blockTokens) tokens): "
                        + "\(fixed($0.blockHitRate * 100, 2)) % of \($0.blocks) blocks hit, \($0.evictions) evictions" } ?? ""))
            }
        case .txn(let scores)?:
            for s in scores {
                lines.append("\(s.name): makespan \(s.makespan), runtime \(fixed(s.runtimeSeconds * 1e3, 2)) ms"
                    + (s.execution.map { "; executed (\(TxnExecutionModel().workers) workers, 2PL): makespan "
                        + "\(fixed($0.makespan, 1)), \($0.aborts) aborts" } ?? ""))
            }
            lines.append("total_makespan \(scores.reduce(0) { $0 + $1.makespan })")
        case nil:
            break
        }
        if let failure = outcome.failure {
            lines.append("failure: \(failure.kind.rawValue): \(CandidateText.escaped(failure.message))")
            let log = outcome.log.split(separator: "\n").suffix(10)
            if !log.isEmpty {
                // Marked and escaped: the candidate's words must not pass for the evaluator's.
                lines.append("candidate log (last lines):\n" + log.map { "  | " + CandidateText.escaped(String($0)) }.joined(separator: "\n"))
            }
        }
        return lines.joined(separator: "\n")
    }
}
