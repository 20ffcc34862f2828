import SimCore

/// Every way the evolution loop refuses an input. An edit error is reported back to the
/// generator that produced the edit (never skipped silently); each case renders as one line.
public enum EvolveError: Error, Equatable, Sendable {
    /// The source has no `// EVOLVE-BLOCK-START` … `// EVOLVE-BLOCK-END`, or more than one.
    case evolveBlock(String)
    /// The response holds no SEARCH/REPLACE block and no rewrite.
    case noEdit
    /// A SEARCH/REPLACE block is not closed or its parts are out of order.
    case malformedEdit(String)
    /// A SEARCH text matches nowhere in the evolve block (`outside`: it does match outside it).
    case noMatch(search: String, outside: Bool)
    /// A SEARCH text matches more than once in the evolve block.
    case ambiguousMatch(search: String, count: Int)
    /// An edit would add or remove the evolve-block markers.
    case touchesMarkers
    /// A store holds no run of that id (or of that problem).
    case noRun(String)
    /// The starting program did not pass every stage, so it cannot be a parent.
    case invalidInitial(String)
    /// One generator call failed (HTTP error, malformed response): a recorded failed iteration.
    case generatorFailed(String)
    /// No generator call can succeed (endpoint unreachable after the retries, bad credentials):
    /// the run stops, with everything committed so far kept.
    case generatorUnavailable(String)
    /// A generator configuration that cannot be used.
    case config(String)
    /// A run folder path (or a folder on it) is a file.
    case notAFolder(String)
    /// Another process (`pid`, when it named itself) holds the run folder's lock.
    case runLocked(folder: String, pid: Int32?)
    /// The store (or a file beside it) cannot be opened, read or written: a read-only folder,
    /// a full disk, a file that is not a store.
    case store(path: String, problem: String)
    /// A run option outside its domain, or not what the run to resume was started with.
    case invalidOption(String, value: String, reason: String)
    /// Two options that exclude each other.
    case conflictingOptions(String, String)
    /// An option the other options need.
    case missingOption(String, because: String)
    /// A report file of the run folder cannot be written.
    case cannotWrite(path: String, reason: String)
    /// A row no longer matches the hash written with it: the store was changed outside
    /// sim-cascade, or its file is damaged.
    case storeCorrupt(path: String, row: String)

    /// Whether the error is this machine's or its files' (exit 3) rather than bad input.
    public var isEnvironment: Bool {
        switch self {
        case .generatorUnavailable, .runLocked, .store, .storeCorrupt, .cannotWrite: return true
        default: return false
        }
    }
}

extension EvolveError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .evolveBlock(let reason): return "evolve block: \(reason)"
        case .noEdit: return "the response holds no SEARCH/REPLACE block and no rewrite of the evolve block"
        case .malformedEdit(let reason): return "malformed edit: \(reason)"
        case .noMatch(let search, let outside):
            return outside
                ? "SEARCH text matches only outside the evolve block, where edits are refused: \(preview(search))"
                : "SEARCH text matches nothing in the evolve block: \(preview(search))"
        case .ambiguousMatch(let search, let count):
            return "SEARCH text matches \(count) places in the evolve block; make it unique: \(preview(search))"
        case .touchesMarkers: return "an edit may not add or remove the EVOLVE-BLOCK markers"
        case .noRun(let reason): return reason
        case .invalidInitial(let reason): return "the initial program is not valid at every stage (\(reason)); evolve starts from a valid one"
        case .generatorFailed(let reason): return "generator call failed: \(reason)"
        case .generatorUnavailable(let reason): return "generator unavailable: \(reason)"
        case .config(let reason): return "generator config: \(reason)"
        case .notAFolder(let path): return "\(Escaped.path(path)): not a folder (--run names the run's folder)"
        case .runLocked(let folder, let pid):
            return "\(Escaped.path(folder)): another evolve (\(pid.map { "pid \($0)" } ?? "pid unknown")) holds this run folder; "
                + "wait for it to end or choose another --run"
        case .store(let path, let problem): return "\(Escaped.path(path)): \(problem)"
        case .invalidOption(let option, let value, let reason): return "invalid \(option) '\(Escaped.value(value))': \(reason)"
        case .conflictingOptions(let a, let b): return "\(a) and \(b) cannot be used together"
        case .missingOption(let option, let reason): return "missing \(option) (required \(reason))"
        case .cannotWrite(let path, let reason): return "\(Escaped.path(path)): cannot write (\(reason))"
        case .storeCorrupt(let path, let row):
            return "\(Escaped.path(path)): \(row) does not match the hash written with it (the store was changed outside sim-cascade "
                + "or its file is damaged); 'sim-cascade runs verify' lists every such row"
        }
    }

    private func preview(_ text: String) -> String {
        "'" + Escaped.value(text.split(separator: "\n").first.map(String.init) ?? "", limit: 60) + "'"
    }
}
