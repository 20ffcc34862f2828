import Sim
import SimCore

/// Every way the evaluation machinery rejects its input or its environment. (A candidate that
/// fails is not an error: it is an `EvaluationOutcome` with `valid: false`.)
public enum CascadeError: Error, Equatable, Sendable {
    /// A problem name that has no candidate protocol.
    case unknownProblem(String, known: [String])
    /// The candidate file is missing or unreadable.
    case candidateNotReadable(String)
    /// swiftc or the prebuilt candidate API library could not be found.
    case toolchainMissing(String)
    /// The sandbox cannot be set up here, and unsafe execution was not allowed.
    case sandboxUnavailable(String)
    /// A budget or limit outside its domain.
    case invalidBudget(name: String, value: String, reason: String)
    /// An option the inputs need was not given.
    case missingOption(String, because: String)
    /// An option that does not apply to the problem, or two that exclude each other.
    case conflictingOptions(String, String)
    /// An operating-system call the evaluator relies on failed.
    case system(String)
    /// An evaluation run elsewhere (the `subprocess` or `ray` executor) failed — a worker refused
    /// by its build or its inputs, a node lost after Ray's retries, an answer that is not an
    /// `eval --json` report: the infrastructure, never the candidate (exit 3; nothing is
    /// recorded for it).
    case executor(String)
    /// The inputs loaded here are not the ones a request named by their digest (a worker whose
    /// traces differ from the driver's).
    case inputsDiffer(expected: String, found: String, label: String)
}

extension CascadeError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .unknownProblem(let name, let known):
            return "unknown problem '\(Escaped.value(name))' (known: \(known.joined(separator: ", ")))"
        case .candidateNotReadable(let path):
            return "\(Escaped.path(path)): no such file or not readable"
        case .toolchainMissing(let what):
            return what
        case .sandboxUnavailable(let reason):
            return "refusing to run untrusted code without a sandbox: \(reason); "
                + "pass --unsafe-no-sandbox to run it anyway (only for code you trust)"
        case .invalidBudget(let name, let value, let reason):
            return "invalid \(Escaped.value(name)) '\(Escaped.value(value))': \(reason)"
        case .missingOption(let option, let reason):
            return "missing \(option) (required \(reason))"
        case .conflictingOptions(let a, let b):
            return "\(a) and \(b) cannot be used together"
        case .system(let message):
            return message
        case .executor(let reason):
            return "executor: \(Escaped.value(reason, limit: 400))"
        case .inputsDiffer(let expected, let found, let label):
            return "the inputs \(Escaped.value(label)) here have digest \(found), not the \(expected) the request named: "
                + "regenerate them with the driver's build (sim-cascade traces generate) or give the same files"
        }
    }

    /// Whether the fault lies in the caller's input (exit status 2) rather than the machine (3).
    public var isBadInput: Bool {
        switch self {
        case .unknownProblem, .candidateNotReadable, .invalidBudget, .missingOption, .conflictingOptions: return true
        case .toolchainMissing, .sandboxUnavailable, .system, .executor, .inputsDiffer: return false
        }
    }
}

extension FileLock.Refusal {
    /// As the evaluator's error: a lock it cannot take is the machine's problem.
    var cascadeError: CascadeError {
        switch self {
        case .held: return .system("a lock is held")
        case .failed(let path, let reason): return .system("cannot lock \(path): \(reason)")
        }
    }
}
