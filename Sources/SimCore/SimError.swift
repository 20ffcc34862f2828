/// Every way the simulators reject their input. Each case renders as one line naming the file or
/// value and what is wrong with it; the CLI maps them all to exit status 2.
public enum SimError: Error, Equatable, Sendable {
    /// The reference data folder could not be found.
    case referenceDataNotFound(tried: [String])
    /// A file that was named does not exist (`tried` lists every place looked at).
    case fileNotFound(String, tried: [String])
    /// A file exists but could not be read or parsed.
    case malformedFile(String, reason: String)
    /// A window that does not fit inside its trace.
    case windowOutOfRange(file: String, start: Int, ticks: Int, traceTicks: Int)
    /// A window too short to reach the deadline.
    case windowTooShort(file: String, ticks: Int, needed: Int)
    /// A job that cannot finish before its deadline even on demand.
    case impossibleJob(taskHours: Double, overheadHours: Double, deadlineHours: Double)
    /// A numeric parameter outside its domain.
    case invalidParameter(name: String, value: String, reason: String)
    /// A policy name that is not built in.
    case unknownPolicy(String, known: [String])
    /// A linear system with no unique solution.
    case singularMatrix(pivot: Int)
}

extension SimError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .referenceDataNotFound(let tried):
            return "reference data not found: set SIM_CASCADE_DATA or place it at ../shared/data "
                + "next to the repository root (looked in: \(tried.joined(separator: ", ")))"
        case .fileNotFound(let path, let tried):
            let places = tried.count > 1 ? " (looked in: \(tried.map(Escaped.path).joined(separator: ", ")))" : ""
            return "\(Escaped.path(path)): no such file\(places)"
        case .malformedFile(let path, let reason):
            return "\(Escaped.path(path)): \(reason)"
        case .windowOutOfRange(let file, let start, let ticks, let traceTicks):
            return "\(Escaped.path(file)): a window of \(ticks) ticks from tick \(start) does not fit in the trace's "
                + "\(traceTicks) ticks"
        case .windowTooShort(let file, let ticks, let needed):
            return "\(Escaped.path(file)): window of \(ticks) ticks is too short; the deadline needs at least "
                + "\(needed) ticks (ceil(deadline/gap) + 1)"
        case .impossibleJob(let task, let overhead, let deadline):
            return "impossible job: task \(task) h + restart overhead \(overhead) h exceeds the "
                + "deadline of \(deadline) h"
        case .invalidParameter(let name, let value, let reason):
            return "invalid \(Escaped.value(name)) '\(Escaped.value(value))': \(reason)"
        case .unknownPolicy(let name, let known):
            return "unknown policy '\(Escaped.value(name))' (built-in: \(known.joined(separator: ", ")))"
        case .singularMatrix(let pivot):
            return "singular matrix: zero pivot at position \(pivot)"
        }
    }
}
