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
        }
    }

    /// Whether the fault lies in the caller's input (exit status 2) rather than the machine (3).
    public var isBadInput: Bool {
        switch self {
        case .unknownProblem, .candidateNotReadable, .invalidBudget, .missingOption, .conflictingOptions: return true
        case .toolchainMissing, .sandboxUnavailable, .system: return false
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
