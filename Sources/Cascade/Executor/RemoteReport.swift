/// The part of an `eval --json` report a remote evaluation answers with: what `evolve` stores
/// of a child, and what `calibrate` measures.
public struct RemoteReport: Decodable, Sendable {
    public struct Failure: Decodable, Sendable { public var kind: String; public var message: String }
    public struct Stage: Decodable, Sendable {
        public var level: String
        public var status: String
        public var metrics: [String: Double]
        public var seconds: Double
        public var failure: Failure?
        public var artifacts: [String]
    }
    public struct Timing: Decodable, Sendable {
        public var compileSeconds: Double
        enum CodingKeys: String, CodingKey { case compileSeconds = "compile_seconds" }
    }

    public var valid: Bool
    public var rejectedAt: String?
    public var failure: Failure?
    public var stages: [Stage]
    public var timing: Timing

    enum CodingKeys: String, CodingKey { case valid, failure, stages, timing, rejectedAt = "rejected_at" }
}
