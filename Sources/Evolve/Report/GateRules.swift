import Cascade
import Foundation
import SimCore

/// Which reference the gates should compare a child with, measured on a run's own children:
/// the initial program (as `eval`'s template-relative gates do), the child's parent, or the best
/// program of the run so far. For each rule, each gate's factor is calibrated as `calibrate`
/// does (the strictest from 1.0 outward that keeps ≥ 97.5 % of the fine level's top decile at
/// that level), then the rule's joint recall, share stopped and throughput are computed by
/// replaying the children's measured seconds and values.
///
/// Exact only when every child has a value at every level: a run with `--counterfactual all`,
/// whose stopped children also run every level they did not reach (ungated). Otherwise `nil`.
public struct GateRules: Encodable, Sendable, Equatable {
    public struct Rule: Encodable, Sendable, Equatable {
        public var reference: String
        /// Per gated level, the calibrated factor.
        public var factors: [String: Double]
        public var stopped: Int
        public var topDecileRecall: Double
        /// Fine-only over cascade (evaluations per CPU-second), compile included and excluded.
        public var factorWithCompile: Double
        public var factorWithoutCompile: Double

        enum CodingKeys: String, CodingKey {
            case reference, factors, stopped
            case topDecileRecall = "top_decile_recall", factorWithCompile = "factor_with_compile"
            case factorWithoutCompile = "factor_without_compile"
        }
    }

    /// A gate: its level and metric, which way is better, and the run's factor.
    public struct Gate: Sendable, Equatable {
        public var level: String
        public var metric: String
        public var lowerIsBetter: Bool
        public var factor: Double

        public init(level: String, metric: String, lowerIsBetter: Bool, factor: Double) {
            (self.level, self.metric, self.lowerIsBetter, self.factor) = (level, metric, lowerIsBetter, factor)
        }
    }

    public var children: Int
    public var topDecile: Int
    /// The run's own gates (initial-program-relative, its factors), replayed the same way.
    public var asRun: Rule
    public var rules: [Rule]
    /// The rule with the highest throughput (compile included) among those keeping ≥ 95 %.
    public var recommended: String?
    /// Its gates (the run's levels and metrics at its factors), for an `evolve-gates.json`.
    public var recommendedGates: [LevelGate]?

    enum CodingKeys: String, CodingKey {
        case children, topDecile = "top_decile", asRun = "as_run", rules, recommended, recommendedGates = "recommended_gates"
    }

    /// The references a rule can take.
    public static let references = ["initial", "parent", "best"]
    /// Candidate factors, from the strictest out (for a lower-is-better metric; mirrored for the
    /// other); the last one turns the gate off in effect (a level that ranks the top decile
    /// worst, as prefix's cost model does some reorderers, keeps its cost but stops nothing).
    static let steps = [1.0, 1.01, 1.025, 1.05, 1.075, 1.1, 1.15, 1.2, 1.3, 1.5, 2.0, 1e6]

    /// One child: compile seconds, per level its value and seconds (or a failure), and the fine
    /// level's score and seconds.
    struct Child {
        var program: ProgramRecord
        var compileSeconds: Double
        var values: [String: Double]
        var seconds: [String: Double]
        var failedAt: String?
        var fineScore: Double?
        var fineSeconds: Double
    }

    /// - Parameter gates: the run's gates, in level order.
    /// - Complexity: O(children × (levels × steps + log children)).
    /// - Parameter asRun: the run's own reference (`initial` or `parent`), for the as-run row.
    /// - Parameter top: the run's last stage (`fine`, or a real system above it), whose score is
    ///   the fitness; the figures named fine are that stage's.
    public static func measure(programs: [ProgramRecord], evaluations: [Int64: [EvaluationRecord]], gates: [Gate],
                               metric: LevelMetric, workers: Int, asRun runReference: String = "initial", top: String = "fine") -> GateRules? {
        guard !gates.isEmpty, let initial = programs.first else { return nil }
        let levels = gates.map(\.level)
        func values(_ p: ProgramRecord) -> [String: Double] {
            var v: [String: Double] = [:]
            for e in evaluations[p.id ?? -1] ?? [] where e.status != "skipped" {
                if let gate = gates.first(where: { $0.level == e.level }), let x = e.metric(gate.metric) { v[e.level] = x }
            }
            return v
        }
        var children: [Child] = []
        for p in programs.dropFirst() {
            let records = (evaluations[p.id ?? -1] ?? []).filter { $0.status != "skipped" }
            guard records.contains(where: { $0.stage != "compile" }) else { continue }  // did not compile
            var child = Child(program: p, compileSeconds: 0, values: values(p), seconds: [:], fineScore: nil, fineSeconds: 0)
            var fine: EvaluationRecord?
            for e in records {
                let level = e.level
                switch level {
                case "compile": child.compileSeconds += e.seconds
                case top: fine = e
                default:
                    child.seconds[level] = e.seconds
                    // A failure, or a gated value that cannot be read (which no gate passes), stops the child here.
                    let unreadable = gates.contains { $0.level == level } && child.values[level] == nil
                    if e.status == "failed" || unreadable, child.failedAt == nil { child.failedAt = level }
                }
            }
            // Every level must have been measured (the run's counterfactual covered the rest).
            guard let fine, child.failedAt != nil || levels.allSatisfy({ child.values[$0] != nil }) else { return nil }
            child.fineSeconds = fine.seconds
            child.fineScore = fine.status == "passed" ? fine.metric(metric.name) : nil
            children.append(child)
        }
        guard !children.isEmpty else { return nil }

        // The fine level's top decile (failures last), by count.
        let order = children.indices.sorted {
            let a = children[$0].fineScore.map { metric.lowerIsBetter ? -$0 : $0 } ?? -.infinity
            let b = children[$1].fineScore.map { metric.lowerIsBetter ? -$0 : $0 } ?? -.infinity
            return a > b
        }
        let topCount = max(1, Int((Double(children.count) * 0.1).rounded(.up)))
        let top = Set(order.prefix(topCount).filter { children[$0].fineScore != nil })

        // The reference values of each rule for each child.
        let byID = Dictionary(programs.compactMap { p in p.id.map { ($0, p) } }, uniquingKeysWith: { a, _ in a })
        let initialValues = values(initial)
        func reference(_ rule: String, _ child: Child) -> [String: Double] {
            switch rule {
            case "parent": return child.program.parentId.flatMap { byID[$0] }.map(values) ?? initialValues
            case "best":
                // What the proposal could see: programs committed `workers` iterations before.
                let visible = programs.filter { $0.valid && $0.iteration <= child.program.iteration - max(1, workers) && $0.score != nil }
                let best = visible.max { a, b in metric.lowerIsBetter ? a.score! > b.score! : a.score! < b.score! }
                return best.map(values) ?? initialValues
            default: return initialValues
            }
        }

        func replay(_ name: String, _ refs: [[String: Double]], _ factors: [String: Double]) -> Rule {
            var cascade = 0.0, compile = 0.0, fineOnly = 0.0, stopped = 0, topKept = 0
            for (i, child) in children.enumerated() {
                compile += child.compileSeconds
                fineOnly += child.fineSeconds
                var passed = true
                for gate in gates {
                    cascade += child.seconds[gate.level] ?? 0
                    if child.failedAt == gate.level || !passes(child.values[gate.level], refs[i][gate.level], gate, factors[gate.level]!) {
                        passed = false
                        break
                    }
                }
                if passed { cascade += child.fineSeconds } else { stopped += 1 }
                if passed && top.contains(i) { topKept += 1 }
            }
            return Rule(reference: name, factors: factors, stopped: stopped,
                        topDecileRecall: top.isEmpty ? 1 : Double(topKept) / Double(top.count),
                        factorWithCompile: (compile + fineOnly) / max(compile + cascade, 1e-12),
                        factorWithoutCompile: fineOnly / max(cascade, 1e-12))
        }

        var rules: [Rule] = []
        for name in references {
            let refs = children.map { reference(name, $0) }
            var factors: [String: Double] = [:]
            for gate in gates {
                // The strictest step keeping ≥ 97.5 % of the top decile at this level alone.
                let chosen = steps.first { step in
                    let f = gate.lowerIsBetter ? step : 1 / step
                    let kept = top.filter { i in
                        children[i].failedAt == gate.level ? false : passes(children[i].values[gate.level], refs[i][gate.level], gate, f)
                    }.count
                    return top.isEmpty || Double(kept) >= 0.975 * Double(top.count)
                } ?? steps.last!
                factors[gate.level] = gate.lowerIsBetter ? chosen : 1 / chosen
            }
            rules.append(replay(name, refs, factors))
        }
        let asRun = replay("\(runReference) (the run's gates)", children.map { reference(runReference, $0) },
                           Dictionary(uniqueKeysWithValues: gates.map { ($0.level, $0.factor) }))
        // "best" is measured, not offered to the loop: only initial and parent are recommended.
        let best = rules.filter { $0.topDecileRecall >= 0.95 && $0.reference != "best" }.max { $0.factorWithCompile < $1.factorWithCompile }
        return GateRules(children: children.count, topDecile: top.count, asRun: asRun, rules: rules, recommended: best?.reference,
                         recommendedGates: best.map { rule in
                             gates.map { LevelGate(level: $0.level, metric: $0.metric, factor: rule.factors[$0.level]!) }
                         })
    }

    /// Whether `value` passes `gate` at `factor` × `reference` (a missing value or reference
    /// passes: nothing to compare).
    static func passes(_ value: Double?, _ reference: Double?, _ gate: Gate, _ factor: Double) -> Bool {
        guard let value, let reference else { return true }
        return gate.lowerIsBetter ? value <= factor * reference : value >= factor * reference
    }
}

extension GateRules {
    /// The report's section.
    func markdown() -> String {
        var md = "## Gates relative to the initial program, the parent or the best so far, on this run's children\n\n"
        md += "\(children) children that compiled, every level measured on each (the counterfactual ran the levels the cascade "
            + "skipped); top decile \(topDecile). Each rule's factors are calibrated here as `calibrate` does (the strictest "
            + "keeping ≥ 97.5 % of the top decile per level), then replayed on the measured seconds.\n\n"
        md += "| reference | factors | stopped | top-decile recall | throughput vs fine-only (compile incl.) | (excl.) |\n"
        md += "|---|---|---|---|---|---|\n"
        for rule in [asRun] + rules {
            let factors = rule.factors.sorted { $0.key < $1.key }.map { "\($0.key) \(fixed($0.value, 3))" }.joined(separator: ", ")
            md += "| \(rule.reference) | \(factors) | \(rule.stopped) | \(fixed(rule.topDecileRecall * 100, 1)) % | "
                + "\(fixed(rule.factorWithCompile, 2))× | \(fixed(rule.factorWithoutCompile, 2))× |\n"
        }
        md += "\n" + (recommended.map {
            "Recommended for the loop (highest throughput keeping ≥ 95 % of the top decile, of initial and parent): `\($0)`, "
                + "written to `evolve-gates.json` (`evolve --gates` takes it). Its factors were calibrated on these same children: "
                + "a run that uses them measures them out of sample.\n\n"
        } ?? "No rule the loop offers keeps ≥ 95 % of the top decile.\n\n")
        return md
    }
}

extension CandidateEvaluator.PreparedCascade {
    /// The cascade's gates with their metrics' directions, in level order.
    public var gates: [GateRules.Gate] {
        gateDirections.map { GateRules.Gate(level: $0.gate.level, metric: $0.gate.metric, lowerIsBetter: $0.lowerIsBetter, factor: $0.gate.factor) }
    }
}
