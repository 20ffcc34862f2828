/// The parent's side of the query protocol: what a problem's runner needs of a child. The
/// sandboxed `ChildSession` is the real one; tests drive runners through in-memory channels,
/// without compiling or spawning anything.
public protocol QueryChannel: AnyObject {
    /// Sends one request frame and waits for an answer of exactly `answerCount` bytes.
    func exchange(_ request: [UInt8], answerCount: Int) -> Result<[UInt8], CandidateFailure>
    /// Sends one request frame and waits for an answer frame of at most `maxAnswerBytes` bytes.
    func exchange(_ request: [UInt8], maxAnswerBytes: Int) -> Result<[UInt8], CandidateFailure>
    /// Ends the protocol after `endFrame` and reaps the child.
    func finish(endFrame: [UInt8])
    /// Stops the child now (an invalid answer ends the evaluation).
    func killAndReap()
}

extension ChildSession: QueryChannel {}
