#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

import CandidateAPI
import CandidateWire

/// The candidate side of the query protocol, prebuilt and linked into every candidate
/// executable: `main` (see `HostMain.swift`) takes the candidate's driver and answers queries
/// through it. Candidates cannot import this module.
enum CandidateHost {
    /// Answers spot queries until the parent sends `end` or closes the pipe, then exits: one
    /// driver call per request (a step of the base clock), one decision byte per query.
    static func serveSpot(_ driver: SpotPolicyDriver) -> Never {
        HostIO.writeAll(WireDescriptors.answers, WireDescriptors.hello)
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
            // The decisions go straight after the count, which is patched once they are in.
            answer.removeAll()
            answer.u32(0)
            // A query about an instance never created: let the parent see the exit.
            guard driver.step(step.new, step.drop, step.queries, &answer.bytes) else { exit(3) }
            answer.patchU32(UInt32(answer.count - 4), at: 0)
            HostIO.writeAll(WireDescriptors.answers, answer.bytes)
        }
        exit(0)
    }
}
