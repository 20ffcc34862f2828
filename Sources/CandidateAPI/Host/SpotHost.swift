#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The candidate side of the query protocol: the generated `main` of a candidate executable calls
/// `CandidateHost.serveSpot(Candidate.self)`. Candidates never call it themselves.
public enum CandidateHost {
    /// Answers spot queries until the parent sends `end` or closes the pipe, then exits.
    ///
    /// Each scenario gets its own fresh `P()`; each instance sees only its own history, built
    /// from the `has_spot` bits it was sent — the child is never told any future tick.
    /// Inlinable so that the loop is specialised for the candidate's type in its own build;
    /// unspecialised generic code would make every call go through witness tables.
    @inlinable
    public static func serveSpot<P: SpotPolicy>(_ type: P.Type) -> Never {
        // Indexed by instance id (the parent numbers scenarios 0, 1, 2, …). Separate arrays,
        // mutated in place, so that no value is copied (and reference-counted) per query.
        HostIO.writeAll(WireDescriptors.answers, WireDescriptors.hello)
        var policies: [P?] = []
        var histories: [[UInt8]] = []
        var constants: [SpotWire.NewInstance] = []
        var requests = HostIO.FrameReader(fd: WireDescriptors.requests)
        var answer = WireWriter(capacity: 4096)
        while let decoded = requests.nextFrame({ raw -> (new: [SpotWire.NewInstance], drop: [UInt32], queries: [SpotWire.Query])?? in
            var reader = WireReader(raw)
            guard let opcode = reader.u8() else { return .some(nil) }
            if opcode == SpotWire.endOpcode { return .none }
            return .some(SpotWire.decodeStep(&reader))
        }) {
            guard let step = decoded else { exit(0) }  // end of evaluation
            guard let step else { exit(3) }  // unreadable request: let the parent see the exit
            for new in step.new {
                let id = Int(new.id)
                if id >= policies.count {
                    let missing = id + 1 - policies.count
                    policies.append(contentsOf: repeatElement(nil, count: missing))
                    histories.append(contentsOf: repeatElement([], count: missing))
                    constants.append(contentsOf: repeatElement(new, count: missing))
                }
                policies[id] = P()
                histories[id] = []
                constants[id] = new
            }
            for id in step.drop where Int(id) < policies.count {
                policies[Int(id)] = nil
                histories[Int(id)] = []
            }
            answer.removeAll()
            answer.u32(UInt32(step.queries.count))
            for q in step.queries {
                let id = Int(q.id)
                guard id < policies.count, policies[id] != nil else { exit(3) }
                histories[id].append(q.hasSpot ? 0 : 1)
                let c = constants[id]
                let decision = histories[id].withUnsafeBufferPointer { history in
                    policies[id]!.decide(SpotView(
                        tick: Int(q.tick), elapsed: Double(q.tick) * c.gap, gap: c.gap,
                        deadline: c.deadline, taskDuration: c.task, restartOverhead: c.overhead,
                        workDone: q.work, remainingRestartOverhead: q.rro, lastCluster: q.last,
                        currentCluster: q.current, hasSpot: q.hasSpot,
                        history: SpotAvailabilityHistory(unavailable: history, count: history.count)))
                }
                answer.u8(decision.rawValue)
            }
            HostIO.writeAll(WireDescriptors.answers, answer.bytes)
        }
        exit(0)
    }
}
