import CandidateAPI
import CandidateWire
import Sim
import SimCore

/// EPLB: the placement computed from window i is scored on window i + 1.
public struct EPLBCandidateRunner {
    public var windows: [[[Double]]]
    public var shape: EPLBShape

    public init(windows: [[[Double]]], shape: EPLBShape) {
        self.windows = windows
        self.shape = shape
    }
}

extension EPLBCandidateRunner {
    /// A placement the candidate computed, validated, and how long the exchange took.
    public struct Placed: Sendable {
        public var window: Int
        public var placement: EPLBPlacement
        public var runtimeSeconds: Double
    }

    /// Asks the child for placements from `indices` (increasing window indices), in order: the
    /// child sees only windows at or before the one it places from.
    public func placements(_ session: some QueryChannel, at indices: [Int]) -> Result<[Placed], CandidateFailure> {
        var writer = WireWriter(capacity: 1 << 20)
        var placed: [Placed] = []
        for i in indices {
            let input = shape.input(windows[i])
            OneShotWire.encode(input, into: &writer)
            let answer: WireReaderBox, seconds: Double
            switch solve(session, writer.bytes, maxAnswerBytes: 8 + input.layers * (4 + 4 * shape.replicas)) {
            case .failure(let failure): return .failure(failure)
            case .success(let result): (answer, seconds) = result
            }
            guard let phy2log = answer.read({ OneShotWire.readRows(&$0, maxRows: input.layers, maxPerRow: shape.replicas) }) else {
                session.killAndReap()
                return .failure(CandidateFailure(.invalidAnswer, "window \(i): malformed or oversized phy2log"))
            }
            do {
                let placement = try EPLBPlacement(phy2log: phy2log, layers: input.layers, experts: input.experts, replicas: shape.replicas)
                placed.append(Placed(window: i, placement: placement, runtimeSeconds: seconds))
            } catch {
                session.killAndReap()
                return .failure(CandidateFailure(.invalidAnswer, "window \(i): \(error)"))
            }
        }
        endProtocol(session)
        return .success(placed)
    }
}

