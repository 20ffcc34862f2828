#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

import CandidateAPI
import CandidateWire

extension CandidateHost {
    /// Answers multi-region spot queries until the parent sends `end`: a fresh policy per run,
    /// which sees only what the parent sent for its ticks so far.
    static func serveSpotMulti(_ driver: MultiRegionPolicyDriver) -> Never {
        HostIO.writeAll(WireDescriptors.answers, WireDescriptors.hello)
        var constants: [SpotMultiWire.NewInstance?] = []
        var requests = HostIO.FrameReader(fd: WireDescriptors.requests)
        var answer = WireWriter(capacity: 4096)
        while let decoded = requests.nextFrame({ raw -> (new: [SpotMultiWire.NewInstance], drop: [UInt32], queries: [SpotMultiWire.Query])?? in
            var reader = WireReader(raw)
            guard let opcode = reader.u8() else { return .some(nil) }
            if opcode == SpotMultiWire.endOpcode { return .none }
            return .some(SpotMultiWire.decodeStep(&reader) { id in
                Int(id) < constants.count ? constants[Int(id)].map { Int($0.regions) } : nil
            })
        }) {
            guard let step = decoded else { exit(0) }  // end of evaluation
            guard let step else { exit(3) }  // unreadable request: let the parent see the exit
            for new in step.new {
                let id = Int(new.id)
                if id >= constants.count {
                    constants.append(contentsOf: repeatElement(nil, count: id + 1 - constants.count))
                }
                driver.start(id)
                constants[id] = new
            }
            for id in step.drop where Int(id) < constants.count {
                driver.stop(Int(id))
                constants[Int(id)] = nil
            }
            answer.removeAll()
            answer.u32(UInt32(step.queries.count * SpotMultiWire.decisionBytes))
            for q in step.queries {
                let id = Int(q.id)
                guard id < constants.count, let c = constants[id],
                      let last = Cluster(rawValue: (q.flags >> 1) & 3), let current = Cluster(rawValue: (q.flags >> 3) & 3) else { exit(3) }
                let view = MultiRegionView(
                    tick: Int(q.tick), elapsed: Double(q.tick) * c.gap, gap: c.gap, deadline: c.deadline, taskDuration: c.task,
                    restartOverhead: c.overhead, workDone: q.work, remainingRestartOverhead: q.rro, lastCluster: last,
                    currentCluster: current, hasSpot: q.flags & 1 == 1, observedRegion: Int(q.observed),
                    regionPointer: Int(q.pointer), instanceRegion: Int(q.instance), regionCount: Int(c.regions),
                    spotPrices: q.prices, onDemandPrice: c.onDemandPrice, spotAvailableByRegion: q.available)
                guard let decision = driver.decide(id, view) else { exit(3) }
                // The bits the policy returned (a case's bits are its raw value): a `Cluster` that is
                // no case reaches the parent as it is and is refused there.
                answer.u8(unsafeBitCast(decision.cluster, to: UInt8.self))
                // A region beyond Int32 is sent as Int32.min, which the parent refuses (never
                // truncated into a region that exists).
                answer.i32(decision.region.map { Int32(exactly: $0) ?? Int32.min } ?? -1)
            }
            HostIO.writeAll(WireDescriptors.answers, answer.bytes)
        }
        exit(0)
    }
}
