#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

import CandidateAPI
import CandidateWire

extension CandidateHost {
    /// Answers EPLB requests: one placer (the driver's) places every window of the session, in order.
    static func serveEPLB(_ driver: ExpertPlacerDriver) -> Never {
        serveOneShot(decode: OneShotWire.decodeEPLB) { input, writer in
            writer.removeAll()
            writer.u32(0)
            OneShotWire.writeRows(driver.place(input), into: &writer)
            OneShotWire.finish(&writer)
        }
    }

    /// Answers prefix requests: a fresh reorderer reorders each table.
    static func servePrefix(_ driver: FieldReordererDriver) -> Never {
        serveOneShot(decode: OneShotWire.decodePrefix) { table, writer in
            OneShotWire.encode(driver.reorder(table), into: &writer)
        }
    }

    /// Answers transaction requests: a fresh scheduler schedules each workload.
    static func serveTxn(_ driver: TxnSchedulerDriver) -> Never {
        serveOneShot(decode: OneShotWire.decodeTxn) { workload, writer in
            writer.removeAll()
            writer.u32(0)
            OneShotWire.writeRows([driver.schedule(workload)], into: &writer)
            OneShotWire.finish(&writer)
        }
    }

    /// The request loop of the one-shot problems.
    static func serveOneShot<Input>(decode: (inout WireReader) -> Input?,
                                    solve: (Input, inout WireWriter) -> Void) -> Never {
        HostIO.writeAll(WireDescriptors.answers, WireDescriptors.hello)
        var requests = HostIO.FrameReader(fd: WireDescriptors.requests)
        var answer = WireWriter(capacity: 1 << 16)
        while let decoded = requests.nextFrame({ raw -> Input?? in
            var reader = WireReader(raw)
            guard let opcode = reader.u8() else { return .some(nil) }
            if opcode == OneShotWire.endOpcode { return .none }
            return .some(decode(&reader))
        }) {
            guard let request = decoded else { exit(0) }  // end of evaluation
            guard let input = request else { exit(3) }  // unreadable request
            solve(input, &answer)
            HostIO.writeAll(WireDescriptors.answers, answer.bytes)
        }
        exit(0)
    }
}
