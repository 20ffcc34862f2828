#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension CandidateHost {
    /// Answers EPLB requests: one `P()` places every window of the session, in order.
    @inlinable
    public static func serveEPLB<P: ExpertPlacer>(_ type: P.Type) -> Never {
        // One placer for the whole history: it may keep state from window to window.
        var placer = P()
        serveOneShot(decode: OneShotWire.decodeEPLB) { input, writer in
            writer.removeAll()
            writer.u32(0)
            OneShotWire.writeRows(placer.place(input), into: &writer)
            OneShotWire.finish(&writer)
        }
    }

    /// Answers prefix requests: a fresh `P()` reorders each table.
    @inlinable
    public static func servePrefix<P: FieldReorderer>(_ type: P.Type) -> Never {
        serveOneShot(decode: OneShotWire.decodePrefix) { table, writer in
            var reorderer = P()
            OneShotWire.encode(reorderer.reorder(table), into: &writer)
        }
    }

    /// Answers transaction requests: a fresh `P()` schedules each workload.
    @inlinable
    public static func serveTxn<P: TxnScheduler>(_ type: P.Type) -> Never {
        serveOneShot(decode: OneShotWire.decodeTxn) { workload, writer in
            var scheduler = P()
            writer.removeAll()
            writer.u32(0)
            OneShotWire.writeRows([scheduler.schedule(workload)], into: &writer)
            OneShotWire.finish(&writer)
        }
    }

    /// The request loop of the one-shot problems.
    @inlinable
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
