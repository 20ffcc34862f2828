/// A candidate of a calibration pool: its source and how it was made.
public struct PoolCandidate: Sendable {
    public enum Origin: String, Sendable {
        case baseline, variant, bad
    }
    public var name: String
    public var origin: Origin
    public var source: String
}
