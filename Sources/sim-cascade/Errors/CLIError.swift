import Cascade
import Sim
import SimCore

/// Errors raised by the command-line layer itself (bad combinations of options).
enum CLIError: Error, CustomStringConvertible {
    case missingOption(String, because: String)
    case conflictingOptions(String, String)
    case cannotWrite(String, reason: String)
    case invalidValue(String, String, String)
    /// A result holds NaN or an infinity (JSON has neither): the inputs' values are beyond what
    /// the command can compute. The loaders keep inputs in ranges where this does not happen.
    case nonFiniteResult
    /// The parent named in `SIM_CASCADE_PARENT_PID` ended before this process could follow it.
    case parentGone

    var description: String {
        switch self {
        case .missingOption(let option, let reason): return "missing \(option) (required \(reason))"
        case .conflictingOptions(let a, let b): return "\(a) and \(b) cannot be used together"
        case .cannotWrite(let path, let reason): return "\(Escaped.path(path)): cannot write (\(reason))"
        case .invalidValue(let option, let value, let reason): return "invalid \(option) '\(Escaped.value(value))': \(reason)"
        case .nonFiniteResult: return "a number of the result is NaN or infinite: the inputs' values are beyond what can be computed"
        case .parentGone: return "the parent process named in \(ParentDeath.parentVariable) has ended: nothing is evaluated"
        }
    }

    /// A file that cannot be written is the machine's problem (exit 3), not the input's.
    var isEnvironment: Bool {
        switch self {
        case .cannotWrite, .parentGone: return true
        default: return false
        }
    }
}
