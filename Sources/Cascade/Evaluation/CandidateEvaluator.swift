import Foundation
import Sim

/// The result of evaluating one candidate: a score, or a failure — never both.
public struct EvaluationOutcome: Sendable {
    public var problem: CandidateProblem
    /// Per-scenario results; present only when the candidate is valid.
    public var score: SpotSetResult?
    public var failure: CandidateFailure?
    /// Seconds spent compiling (or looking up the cache), measured by the parent.
    public var compileSeconds: Double
    public var compileCached: Bool
    /// Wall seconds from starting the child to reaping it, measured by the parent.
    public var runSeconds: Double
    public var sandbox: SandboxMode
    /// The child's stdout and stderr (capped); shown to the user, never parsed.
    public var log: String

    public var valid: Bool { failure == nil }
}

/// Compiles a candidate, runs it in the sandbox against the trusted simulator, and validates it.
public struct CandidateEvaluator: Sendable {
    public var compiler: CandidateCompiler
    public var sandbox: Sandbox

    public init(compiler: CandidateCompiler, sandbox: Sandbox) {
        self.compiler = compiler
        self.sandbox = sandbox
    }

    /// Reads a candidate file.
    /// - Throws: `CascadeError.candidateNotReadable`.
    public static func readSource(_ url: URL) throws -> String {
        guard let data = FileManager.default.contents(atPath: url.path), !isDirectory(url) else {
            throw CascadeError.candidateNotReadable(url.path)
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// Evaluates a spot candidate on `set`. Any scenario finishing after its deadline makes the
    /// candidate invalid (`deadline_miss`): a cheap policy that is late is not a better policy.
    public func evaluateSpot(source: String, on set: SpotScenarioSet) throws -> EvaluationOutcome {
        var outcome = EvaluationOutcome(problem: .spot, score: nil, failure: nil, compileSeconds: 0,
                                        compileCached: false, runSeconds: 0, sandbox: sandbox.mode, log: "")
        let compiled: CompiledCandidate
        switch try compiler.compile(source: source, problem: .spot) {
        case .failure(let failure):
            outcome.failure = failure
            return outcome
        case .success(let c):
            compiled = c
        }
        outcome.compileSeconds = compiled.seconds
        outcome.compileCached = compiled.cached

        let session = try sandbox.start(executable: compiled.executable)
        let result = SpotCandidateRunner(set: set).run(session)
        outcome.runSeconds = monotonicSeconds() - session.startTime
        outcome.log = session.logText
        switch result {
        case .failure(let failure):
            outcome.failure = failure
        case .success(let score):
            let late = score.results.indices.filter { !score.results[$0].deadlineMet }
            if let first = late.first {
                outcome.failure = CandidateFailure(
                    .deadlineMiss, "\(late.count) of \(score.results.count) scenarios finished after their deadline "
                        + "(first: scenario \(first), \(set.scenarios[first].env) window \(set.scenarios[first].traceID))")
            } else {
                outcome.score = score
            }
        }
        return outcome
    }

    static func isDirectory(_ url: URL) -> Bool {
        var isDir: ObjCBool = false
        return FileManager.default.fileExists(atPath: url.path, isDirectory: &isDir) && isDir.boolValue
    }
}
