/// Why a candidate has no score. Rendered as `failure: {kind, message}`.
public struct CandidateFailure: Error, Equatable, Sendable {
    public enum Kind: String, Sendable, CaseIterable {
        /// swiftc rejected the source (including a missing `Candidate` or a wrong conformance).
        case compileError = "compile_error"
        /// The child died from a signal or exited before the evaluation ended.
        case crash
        /// The wall-clock deadline or the CPU limit was reached.
        case timeout
        /// The child died at its address-space limit.
        case memory
        /// An answer was out of range, malformed, or missing.
        case invalidAnswer = "invalid_answer"
        /// The child wrote more than its log cap to stdout/stderr.
        case outputLimit = "output_limit"
        /// A scenario finished after its deadline.
        case deadlineMiss = "deadline_miss"
        /// A cascade stage stopped the candidate (later issues).
        case rejected
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }
}
