import Cascade
import Foundation
import SimCore

/// What `eval` builds before it compiles — the evaluator, the inputs (and their digest), the
/// prepared cascade with every level's reference — kept between the requests of one
/// `eval-server` process, so that each is built once per distinct set of options. A one-shot
/// `eval` uses a session of its own. Requests run one at a time (no lock).
final class EvalSession {
    private var evaluators: [String: CandidateEvaluator] = [:]
    private var loaded: [String: (inputs: CandidateInputs, digest: String?)] = [:]
    private var cascades: [String: CandidateEvaluator.PreparedCascade] = [:]
    /// Distinct inputs or cascades kept at most; one more empties the table, and later requests
    /// build theirs again (an executor's requests use a few: a run's cascade, its ungated
    /// counterfactual, a held-out set). The files are read once: a server serves the inputs
    /// as they were at its first request that named them.
    static let capacity = 8

    /// The evaluator `options` describe (its sandbox warnings printed once), and its key.
    func evaluator(_ options: SandboxOptions) throws -> (evaluator: CandidateEvaluator, key: String) {
        let key = "\(options.timeout ?? -1) \(options.memoryMb) \(options.logLimitKb) \(options.compileTimeout) "
            + "\(options.memoryCgroup) \(options.unsafeNoSandbox)"
        if let known = evaluators[key] { return (known, key) }
        let evaluator = try options.evaluator()
        evaluators[key] = evaluator
        return (evaluator, key)
    }

    /// The inputs `request` names, checked against `digest` when given (its digest taken once).
    /// - Throws: what loading throws; `CascadeError.inputsDiffer` for another digest.
    func inputs(_ problem: CandidateProblem, _ request: InputRequest, catalog: InputCatalog, digest expected: String?) throws
        -> (inputs: CandidateInputs, key: String) {
        let key = "\(problem.rawValue)|\(request.file.map { catalog.userPath($0).path } ?? "")|\(request.heldOut)|"
            + request.settings.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
        var entry = try loaded[key] ?? (try problem.loadInputs(request, catalog: catalog), nil)
        if let expected {
            let digest = try entry.digest ?? entry.inputs.digest()
            entry.digest = digest
            guard digest == expected else {
                throw CascadeError.inputsDiffer(expected: expected, found: digest, label: entry.inputs.label)
            }
        }
        Self.keep(&loaded, key, entry)
        return (entry.inputs, key)
    }

    /// `inputs` prepared for `options` by the evaluator of `evaluatorKey` (the levels built and
    /// their references run).
    func prepared(_ inputs: (inputs: CandidateInputs, key: String), by evaluator: (evaluator: CandidateEvaluator, key: String),
                  options: CascadeOptions) throws -> CandidateEvaluator.PreparedCascade {
        let key = "\(inputs.key)|\(evaluator.key)|\(options)"
        if let known = cascades[key] { return known }
        let prepared = try evaluator.evaluator.prepare(inputs.inputs, cascade: options)
        Self.keep(&cascades, key, prepared)
        return prepared
    }

    private static func keep<Value>(_ table: inout [String: Value], _ key: String, _ value: Value) {
        if table[key] == nil && table.count >= capacity { table.removeAll() }
        table[key] = value
    }
}
