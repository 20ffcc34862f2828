import Cascade
import Foundation
import SimCore

/// What `eval` builds before it compiles — the evaluator, the inputs (and their digest), the
/// prepared cascade with every level's reference — kept between the requests of one
/// `eval-server` process, so that each is built once per distinct set of options. A one-shot
/// `eval` uses a session of its own. Requests run one at a time (no lock).
final class EvalSession {
    /// Loaded inputs: their files' signature when loaded, their digest once taken, and a serial
    /// number naming this load (the cascades prepared on it are keyed by it).
    struct Loaded {
        var inputs: CandidateInputs
        var serial: Int
        var signature: [String]
        var digest: String?
    }

    private var evaluators: [String: CandidateEvaluator] = [:]
    private var loaded: [String: Loaded] = [:]
    private var cascades: [String: CandidateEvaluator.PreparedCascade] = [:]
    private var loads = 0
    /// Distinct inputs or cascades kept at most; one more empties both tables, and later
    /// requests build theirs again (an executor's requests use a few: a run's cascade, its
    /// ungated counterfactual, a held-out set).
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

    /// The inputs `request` names, checked against `digest` when given. Loaded again when a
    /// file was written or replaced since (its size, time or inode changed); the digest is taken
    /// once per load, and a file that changes while it is taken fails the request.
    /// - Throws: what loading throws; `CascadeError.inputsDiffer` for another digest,
    ///   `CascadeError.system` for files that changed while their digest was taken.
    func inputs(_ problem: CandidateProblem, _ request: InputRequest, catalog: InputCatalog, digest expected: String?) throws -> Loaded {
        let key = "\(problem.rawValue)|\(request.file.map { catalog.userPath($0).path } ?? "")|\(request.heldOut)|"
            + request.settings.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
        var entry: Loaded
        if let known = loaded[key], known.signature == known.inputs.sources?.signature() {
            entry = known
        } else {
            let inputs = try problem.loadInputs(request, catalog: catalog)
            loads += 1
            entry = Loaded(inputs: inputs, serial: loads, signature: inputs.sources?.signature() ?? [], digest: nil)
        }
        if let expected {
            if entry.digest == nil {
                let digest = try entry.inputs.digest()
                guard entry.inputs.sources?.signature() == entry.signature else {
                    throw CascadeError.system("the files of the inputs \(entry.inputs.label) changed while their digest was taken")
                }
                entry.digest = digest
            }
            guard entry.digest == expected else {
                throw CascadeError.inputsDiffer(expected: expected, found: entry.digest!, label: entry.inputs.label)
            }
        }
        if loaded[key] == nil && loaded.count >= Self.capacity { empty() }
        loaded[key] = entry
        return entry
    }

    /// `inputs` prepared for `options` by `evaluator` (the levels built and their references run).
    func prepared(_ inputs: Loaded, by evaluator: (evaluator: CandidateEvaluator, key: String),
                  options: CascadeOptions) throws -> CandidateEvaluator.PreparedCascade {
        let key = "\(inputs.serial)|\(evaluator.key)|\(options)"
        if let known = cascades[key] { return known }
        let prepared = try evaluator.evaluator.prepare(inputs.inputs, cascade: options)
        if cascades.count >= Self.capacity { empty() }
        cascades[key] = prepared
        return prepared
    }

    private func empty() {
        loaded.removeAll()
        cascades.removeAll()
    }
}
