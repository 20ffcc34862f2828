import Foundation
import Sim

/// What happened at one stage of the cascade.
public struct StageReport: Sendable {
    public enum Status: String, Sendable {
        /// Ran and passed its gate (or had none).
        case passed
        /// Ran, but its gate stopped the candidate.
        case rejected
        /// The candidate failed inside the stage (crash, timeout, deadline miss, …).
        case failed
        /// Not run: an earlier stage stopped the candidate.
        case skipped
    }

    public var level: String
    public var status: Status
    public var metrics: [String: Double]
    /// The reference policy's value of the gated metric at this level.
    public var reference: Double?
    public var gate: LevelGate?
    /// `gate.factor × reference`.
    public var threshold: Double?
    public var seconds: Double
    public var failure: CandidateFailure?
    public var artifacts: [String]
    /// The candidate's stdout and stderr during this stage (capped).
    public var log: String
}

/// The default gates, used until `sim-cascade calibrate` has measured better ones: reject a
/// candidate whose cheap-level mean cost is clearly worse than the template's (greedy) there.
public enum DefaultGates {
    public static let spot = [
        LevelGate(level: "cost_model", metric: "mean_cost", factor: 1.25),
        LevelGate(level: "coarse", metric: "mean_cost", factor: 1.10),
    ]
}

/// Runs a compiled candidate through levels in order, stopping at the first failure or gate
/// (unless `allLevels`).
public struct CascadeRunner: Sendable {
    public var levels: [any FidelityLevel]
    public var gates: [LevelGate]
    public var allLevels: Bool

    public init(levels: [any FidelityLevel], gates: [LevelGate], allLevels: Bool = false) {
        self.levels = levels
        self.gates = gates
        self.allLevels = allLevels
    }

    /// Checks the gates against the levels.
    /// - Throws: `CascadeError.invalidBudget` naming an unknown level or metric.
    public func validated() throws -> CascadeRunner {
        for gate in gates {
            guard let level = levels.first(where: { $0.name == gate.level }) else {
                throw CascadeError.invalidBudget(name: "gate", value: gate.level,
                                                 reason: "no such level (levels: \(levels.map(\.name).joined(separator: ", ")))")
            }
            guard level.metrics.contains(where: { $0.name == gate.metric }) else {
                throw CascadeError.invalidBudget(name: "gate", value: "\(gate.level).\(gate.metric)",
                                                 reason: "the level produces \(level.metrics.map(\.name).joined(separator: ", "))")
            }
            guard gate.factor.isFinite, gate.factor > 0 else {
                throw CascadeError.invalidBudget(name: "gate", value: "\(gate.factor)", reason: "factor must be positive")
            }
        }
        return self
    }

    /// - Returns: one report per level, the stage that stopped the candidate and why, and the
    ///   last level's score when the candidate passed everything.
    public func run(_ candidate: CompiledCandidate, sandbox: Sandbox) throws
        -> (stages: [StageReport], rejectedAt: String?, failure: CandidateFailure?, score: CandidateScore?) {
        var stages: [StageReport] = []
        var rejectedAt: String?
        var failure: CandidateFailure?
        var score: CandidateScore?
        for (index, level) in levels.enumerated() {
            if rejectedAt != nil && !allLevels {
                stages.append(StageReport(level: level.name, status: .skipped, metrics: [:], reference: nil, gate: nil,
                                          threshold: nil, seconds: 0, failure: nil, artifacts: [], log: ""))
                continue
            }
            let result = try level.run(candidate, sandbox: sandbox)
            var report = StageReport(level: level.name, status: .passed, metrics: result.metrics, reference: nil,
                                     gate: nil, threshold: nil, seconds: result.seconds, failure: result.failure,
                                     artifacts: result.artifacts, log: result.log)
            if let stageFailure = result.failure {
                report.status = .failed
                if rejectedAt == nil {
                    rejectedAt = level.name
                    failure = stageFailure
                }
            } else if let gate = gates.first(where: { $0.level == level.name }),
                      let value = result.metrics[gate.metric],
                      let reference = level.referenceMetrics()[gate.metric] {
                let lowerIsBetter = level.metrics.first { $0.name == gate.metric }?.lowerIsBetter ?? true
                let threshold = gate.factor * reference
                report.gate = gate
                report.reference = reference
                report.threshold = threshold
                if lowerIsBetter ? value > threshold : value < threshold {
                    report.status = .rejected
                    if rejectedAt == nil {
                        rejectedAt = level.name
                        failure = CandidateFailure(.rejected, "\(gate.metric) \(format(value)) vs gate \(format(threshold)) "
                            + "(\(format(gate.factor)) × the reference's \(format(reference)))")
                    }
                }
            }
            if index == levels.count - 1 && rejectedAt == nil { score = result.score }
            stages.append(report)
        }
        return (stages, rejectedAt, failure, score)
    }

    private func format(_ x: Double) -> String { String(Double(Int((x * 1e4).rounded())) / 1e4) }
}

/// Gates read from a file: `{"gates": [{"level": …, "metric": …, "factor": …}, …]}` — the
/// `recommended_gates` of a calibration report, or written by hand.
public enum GatesFile {
    private struct File: Decodable {
        var gates: [LevelGate]?
        var recommended_gates: [LevelGate]?
    }

    /// - Throws: `CascadeError.invalidBudget` naming the file when it does not parse.
    public static func load(from url: URL) throws -> [LevelGate] {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw CascadeError.invalidBudget(name: "gates file", value: url.path, reason: "no such file")
        }
        guard let file = try? JSONDecoder().decode(File.self, from: data), let gates = file.gates ?? file.recommended_gates else {
            throw CascadeError.invalidBudget(name: "gates file", value: url.path,
                                             reason: "expected {\"gates\": [{\"level\", \"metric\", \"factor\"}, …]}")
        }
        return gates
    }
}
