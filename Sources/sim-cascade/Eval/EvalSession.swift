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
    /// Distinct inputs, or cascades, kept at most; one more inputs empties both tables, one more
    /// cascade the cascades, and later requests build theirs again (an executor's requests use a
    /// few: a run's cascade, its ungated counterfactual, a held-out set). Evaluators (one per
    /// set of sandbox options) are kept for the server's life.
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
    /// file was written or replaced since it was resolved (its size, time or inode changed), and
    /// once more when a kept load's digest is not the one asked for (another file may now be
    /// resolved in its place); the digest is taken once per load.
    /// - Throws: what loading throws; `CascadeError.inputsDiffer` for another digest,
    ///   `CascadeError.system` for files that changed while they were loaded or hashed.
    func inputs(_ problem: CandidateProblem, _ request: InputRequest, catalog: InputCatalog, digest expected: String?) throws -> Loaded {
        let key = "\(problem.rawValue)|\(request.file.map { catalog.userPath($0).path } ?? "")|\(request.heldOut)|"
            + request.settings.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
        func load() throws -> Loaded {
            let inputs = try problem.loadInputs(request, catalog: catalog)
            loads += 1
            if let old = loaded[key] { drop(old) }
            return Loaded(inputs: inputs, serial: loads, signature: inputs.sources?.loadedSignature ?? [], digest: nil)
        }
        func digest(_ entry: inout Loaded) throws -> String {
            if let known = entry.digest { return known }
            let digest = try entry.inputs.digest()
            // Unchanged since each file was resolved: the bytes hashed are the bytes loaded.
            guard entry.inputs.sources?.signature() == entry.signature else {
                throw CascadeError.system("the files of the inputs \(entry.inputs.label) changed while they were loaded")
            }
            entry.digest = digest
            return digest
        }
        var entry: Loaded
        var fresh = false
        if let known = loaded[key], known.signature == known.inputs.sources?.signature() {
            entry = known
        } else {
            entry = try load()
            fresh = true
        }
        if let expected {
            if try digest(&entry) != expected && !fresh {
                entry = try load()
                _ = try digest(&entry)
            }
            guard entry.digest == expected else {
                loaded[key] = entry
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
        if cascades.count >= Self.capacity { cascades.removeAll() }
        cascades[key] = prepared
        return prepared
    }

    /// Forgets the cascades prepared on a load that is replaced.
    private func drop(_ old: Loaded) {
        cascades = cascades.filter { !$0.key.hasPrefix("\(old.serial)|") }
    }

    private func empty() {
        loaded.removeAll()
        cascades.removeAll()
    }
}
