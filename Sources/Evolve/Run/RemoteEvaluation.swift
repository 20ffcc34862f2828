import Cascade
import Foundation
import SimCore

/// A run's evaluations through a `RemoteExecutor`: each child is one request with the run's
/// gates, budgets and levels spelled out and its gate references; a sampled stopped child's
/// counterfactual a second, ungated one — the store is what the local executor writes.
public struct RemoteEvaluation: Sendable {
    public var executor: RemoteExecutor
    public var evaluation: CascadeEvaluation
    public var gates: GatesFile
    /// `eval` options naming the run's inputs (`--inputs small`, EPLB's shape) and their digest
    /// (`--expect-inputs`: a worker that loads other inputs refuses the request).
    public var inputArguments: [String]
    /// Whether the run's levels leave out an on-demand level (so the counterfactual does).
    public var modelsOnly: Bool

    public init(executor: RemoteExecutor, evaluation: CascadeEvaluation, gates: GatesFile, inputSettings: [String: String],
                inputsDigest: String, modelsOnly: Bool) {
        self.executor = executor
        self.evaluation = evaluation
        self.gates = gates
        inputArguments = InputRequest(settings: inputSettings).evalArguments(fileOption: evaluation.problem.definition.inputFiles.fileOption)
            + ["--expect-inputs", inputsDigest]
        self.modelsOnly = modelsOnly
    }

    /// Seconds after which a request is an infrastructure failure: every stage's budget, the
    /// compile's limit, and a minute.
    var timeout: Double {
        gates.budgets.isEmpty ? 3600 : gates.budgets.reduce(0) { $0 + $1.wallSeconds } + 120 + 60
    }

    public func evaluate(_ source: String, references: [String: Double]) throws -> EvaluatedChild {
        let problem = evaluation.problem.rawValue
        let referenceArguments = references.sorted { $0.key < $1.key }.flatMap { ["--gate-reference", "\($0.key)=\($0.value)"] }
        let common = inputArguments + ["--no-public-evaluator"]
        let report = try executor.run(problem: problem, source: source, gates: gates,
                                      arguments: common + referenceArguments, timeout: timeout)
        var child = evaluation.child(from: report)
        let stages = report.stages.map(CascadeEvaluation.StageRecord.init)
        if evaluation.counterfactual.share > 0, evaluation.wantsCounterfactual(stages, source) {
            let ungated = GatesFile(gates: [], budgets: gates.budgets)
            let all = try executor.run(problem: problem, source: source, gates: ungated,
                                       arguments: common + ["--all-levels"] + (modelsOnly ? ["--models-only"] : []), timeout: timeout)
            child.evaluations += evaluation.counterfactualRecords(ran: stages, ungated: all.stages.map(CascadeEvaluation.StageRecord.init))
        }
        return child
    }
}
