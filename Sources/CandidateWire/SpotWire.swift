// The spot query protocol. One request per step of the base-trace clock carries the instances to
// create and to drop and one query per active scenario; the answer is one decision byte per query.
//
// request := u32 length, u8 opcode (1 = step, 2 = end),
//            step: u32 nNew, u32 nDrop, u32 nQuery,
//                  nNew × (u32 id, f64 gap, f64 deadline, f64 task, f64 overhead),
//                  nDrop × u32 id,
//                  nQuery × (u32 id, u32 tick, u8 flags, f64 work, f64 rro)
//            flags: bit 0 has_spot, bits 1–2 last cluster, bits 3–4 current cluster
// answer  := u32 nQuery, nQuery × u8 cluster raw value

import CandidateAPI

public enum SpotWire {
    public static let stepOpcode: UInt8 = 1
    public static let endOpcode: UInt8 = 2

    /// A scenario's constants, sent once when its instance is created.
    public typealias NewInstance = SpotInstanceConstants
    /// One tick's observation of one instance.
    public typealias Query = SpotQuery

    /// Encodes one step request, length prefix included.
    /// - Complexity: O(records), one allocation at most (the writer's storage is reused).
    public static func encodeStep(new: [NewInstance], drop: [UInt32], queries: [Query],
                                  into writer: inout WireWriter) {
        let size = 4 + 1 + 12 + new.count * 36 + drop.count * 4 + queries.count * 25
        writer.bytes.removeAll(keepingCapacity: true)
        writer.bytes.append(contentsOf: repeatElement(0, count: size))
        writer.bytes.withUnsafeMutableBytes { raw in
            var at = 0
            func put<T: FixedWidthInteger>(_ value: T) {
                raw.storeBytes(of: value.littleEndian, toByteOffset: at, as: T.self)
                at += MemoryLayout<T>.size
            }
            put(UInt32(size - 4))
            put(stepOpcode)
            put(UInt32(new.count))
            put(UInt32(drop.count))
            put(UInt32(queries.count))
            for n in new {
                put(n.id)
                put(n.gap.bitPattern)
                put(n.deadline.bitPattern)
                put(n.task.bitPattern)
                put(n.overhead.bitPattern)
            }
            for id in drop { put(id) }
            for q in queries {
                put(q.id)
                put(q.tick)
                put((q.hasSpot ? 1 : 0) | q.last.rawValue << 1 | q.current.rawValue << 3 as UInt8)
                put(q.work.bitPattern)
                put(q.rro.bitPattern)
            }
        }
    }

    /// Encodes the end request.
    public static func encodeEnd(into writer: inout WireWriter) {
        writer.removeAll()
        writer.u32(1)
        writer.u8(endOpcode)
    }

    /// Decodes a step request's body (after the length prefix and opcode).
    @inlinable
    public static func decodeStep(_ reader: inout WireReader) -> (new: [NewInstance], drop: [UInt32], queries: [Query])? {
        guard let nNew = reader.u32(), let nDrop = reader.u32(), let nQuery = reader.u32() else { return nil }
        var new: [NewInstance] = [], drop: [UInt32] = [], queries: [Query] = []
        new.reserveCapacity(Int(nNew))
        drop.reserveCapacity(Int(nDrop))
        queries.reserveCapacity(Int(nQuery))
        for _ in 0..<nNew {
            guard let id = reader.u32(), let gap = reader.f64(), let deadline = reader.f64(),
                  let task = reader.f64(), let overhead = reader.f64() else { return nil }
            new.append(NewInstance(id: id, gap: gap, deadline: deadline, task: task, overhead: overhead))
        }
        for _ in 0..<nDrop {
            guard let id = reader.u32() else { return nil }
            drop.append(id)
        }
        for _ in 0..<nQuery {
            guard let id = reader.u32(), let tick = reader.u32(), let flags = reader.u8(),
                  let work = reader.f64(), let rro = reader.f64(),
                  let last = Cluster(rawValue: (flags >> 1) & 3),
                  let current = Cluster(rawValue: (flags >> 3) & 3) else { return nil }
            queries.append(Query(id: id, tick: tick, hasSpot: flags & 1 == 1, last: last,
                                 current: current, work: work, rro: rro))
        }
        return (new, drop, queries)
    }
}
