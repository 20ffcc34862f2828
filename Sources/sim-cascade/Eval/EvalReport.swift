import Cascade
import Sim

/// `eval` output: the score with `simulate`'s field names, or the failure.
struct EvalReport: Encodable {
    var candidate: String
    var set: SpotScenarioSet
    var outcome: EvaluationOutcome

    enum CodingKeys: String, CodingKey {
        case valid, problem, candidate, scenarioSet = "scenario_set", count, meanCost = "mean_cost"
        case stdCost = "std_cost", deadlineMisses = "deadline_misses", results, failure, timing, sandbox, log
    }

    struct Failure: Encodable { var kind: String; var message: String }
    struct Timing: Encodable {
        var compile_seconds: Double
        var compile_cached: Bool
        var run_seconds: Double
    }

    func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(outcome.valid, forKey: .valid)
        try c.encode(outcome.problem.rawValue, forKey: .problem)
        try c.encode(candidate, forKey: .candidate)
        try c.encode(set.name, forKey: .scenarioSet)
        try c.encode(set.scenarios.count, forKey: .count)
        if let score = outcome.score {
            try c.encode(score.meanCost, forKey: .meanCost)
            try c.encode(score.stdCost, forKey: .stdCost)
            try c.encode(score.deadlineMisses, forKey: .deadlineMisses)
            try c.encode(SpotSetReport(policy: "candidate", set: set, outcome: score).rows, forKey: .results)
        }
        if let failure = outcome.failure {
            try c.encode(Failure(kind: failure.kind.rawValue, message: failure.message), forKey: .failure)
        }
        try c.encode(Timing(compile_seconds: outcome.compileSeconds, compile_cached: outcome.compileCached,
                            run_seconds: outcome.runSeconds), forKey: .timing)
        try c.encode(outcome.sandbox.rawValue, forKey: .sandbox)
        try c.encode(outcome.log, forKey: .log)
    }

    var text: String {
        var lines = [
            "candidate: \(candidate) (\(outcome.problem.rawValue); compile \(outcome.compileCached ? "cached" : fixed(outcome.compileSeconds, 2) + " s"), run \(fixed(outcome.runSeconds, 3)) s, sandbox \(outcome.sandbox.rawValue))",
            "scenarios: \(set.name) (\(set.scenarios.count))",
            "valid: \(outcome.valid)",
        ]
        if let score = outcome.score {
            lines.append("mean_cost \(fixed(score.meanCost, 4)) $, std_cost \(fixed(score.stdCost, 4)) $, deadline_misses \(score.deadlineMisses)")
        }
        if let failure = outcome.failure {
            lines.append("failure: \(failure.kind.rawValue): \(failure.message)")
            let log = outcome.log.split(separator: "\n").suffix(10)
            if !log.isEmpty { lines.append("candidate log (last lines):\n" + log.map { "  \($0)" }.joined(separator: "\n")) }
        }
        return lines.joined(separator: "\n")
    }
}
