import CandidateAPI
import CandidateWire
import Sim
import SimCore

/// Sends one problem instance to the child and times the answer (the child never reports a
/// runtime: the parent measures from the request's first byte to the answer's last).
func solve(_ session: some QueryChannel, _ request: [UInt8], maxAnswerBytes: Int) -> Result<(WireReaderBox, Double), CandidateFailure> {
    let start = monotonicSeconds()
    switch session.exchange(request, maxAnswerBytes: maxAnswerBytes) {
    case .failure(let failure): return .failure(failure)
    case .success(let bytes): return .success((WireReaderBox(bytes), monotonicSeconds() - start))
    }
}

/// Sends the end request and reaps the child.
func endProtocol(_ session: some QueryChannel) {
    var end = WireWriter()
    OneShotWire.encodeEnd(into: &end)
    session.finish(endFrame: end.bytes)
}

/// Owns answer bytes and hands out readers over them.
struct WireReaderBox {
    let bytes: [UInt8]
    init(_ bytes: [UInt8]) { self.bytes = bytes }
    func read<R>(_ body: (inout WireReader) -> R) -> R {
        bytes.withUnsafeBytes { raw in
            var reader = WireReader(raw)
            return body(&reader)
        }
    }
}
