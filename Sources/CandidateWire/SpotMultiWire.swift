// The multi-region spot query protocol: like spot's, one request per tick of the aligned traces
// carries the runs to start and to drop and one query per active run; the answer is one decision
// per query (cluster type and region pointer).
//
// request := u32 length, u8 opcode (1 = step, 2 = end),
//            step: u32 nNew, u32 nDrop, u32 nQuery,
//                  nNew × (u32 id, f64 gap, f64 deadline, f64 task, f64 overhead, u32 regions, f64 onDemandPrice),
//                  nDrop × u32 id,
//                  nQuery × (u32 id, u32 tick, u8 flags, f64 work, f64 rro, u32 observed, u32 pointer,
//                            i32 instance, regions × f64 spot price,
//                            [regions × u8 spot available, when flags bit 5])
//            flags: bit 0 has_spot, bits 1–2 last cluster, bits 3–4 current cluster,
//                   bit 5 every region's availability follows (reference model only)
// answer  := u32 byte count (5 × nQuery), nQuery × (u8 cluster, i32 region or -1 to stay)

import CandidateAPI

public enum SpotMultiWire {
    public static let stepOpcode: UInt8 = 1
    public static let endOpcode: UInt8 = 2
    /// Bytes per decision in an answer.
    public static let decisionBytes = 5

    /// A run's constants, sent once when its instance is created.
    public struct NewInstance: Sendable, Equatable {
        public var id: UInt32
        public var gap: Double
        public var deadline: Double
        public var task: Double
        public var overhead: Double
        public var regions: UInt32
        public var onDemandPrice: Double

        @inlinable
        public init(id: UInt32, gap: Double, deadline: Double, task: Double, overhead: Double, regions: UInt32, onDemandPrice: Double) {
            self.id = id
            self.gap = gap
            self.deadline = deadline
            self.task = task
            self.overhead = overhead
            self.regions = regions
            self.onDemandPrice = onDemandPrice
        }
    }

    /// Encodes one step: the new runs, the dropped ones, and one query per view.
    /// - Complexity: O(queries × regions).
    public static func encodeStep(new: [NewInstance], drop: [UInt32], queries: [(id: UInt32, view: MultiRegionView)],
                                  into writer: inout WireWriter) {
        writer.removeAll()
        writer.u32(0)
        writer.u8(stepOpcode)
        writer.u32(UInt32(new.count))
        writer.u32(UInt32(drop.count))
        writer.u32(UInt32(queries.count))
        for n in new {
            writer.u32(n.id)
            for x in [n.gap, n.deadline, n.task, n.overhead] { writer.f64(x) }
            writer.u32(n.regions)
            writer.f64(n.onDemandPrice)
        }
        for id in drop { writer.u32(id) }
        for (id, v) in queries {
            writer.u32(id)
            writer.u32(UInt32(v.tick))
            let everyRegion: UInt8 = v.spotAvailableByRegion == nil ? 0 : 1 << 5
            writer.u8((v.hasSpot ? 1 : 0) | v.lastCluster.rawValue << 1 | v.currentCluster.rawValue << 3 | everyRegion)
            writer.f64(v.workDone)
            writer.f64(v.remainingRestartOverhead)
            writer.u32(UInt32(v.observedRegion))
            writer.u32(UInt32(v.regionPointer))
            writer.i32(Int32(v.instanceRegion))
            for p in v.spotPrices { writer.f64(p) }
            for available in v.spotAvailableByRegion ?? [] { writer.u8(available ? 1 : 0) }
        }
        writer.patchU32(UInt32(writer.count - 4), at: 0)
    }

    public static func encodeEnd(into writer: inout WireWriter) {
        writer.removeAll()
        writer.u32(1)
        writer.u8(endOpcode)
    }

    /// One decoded query, before the child adds its instance's constants.
    public struct Query: Sendable {
        public var id: UInt32
        public var tick: UInt32
        public var flags: UInt8
        public var work: Double
        public var rro: Double
        public var observed: UInt32
        public var pointer: UInt32
        public var instance: Int32
        public var prices: [Double]
        /// Every region's availability (reference model), or `nil`.
        public var available: [Bool]?

        @inlinable
        public init(id: UInt32, tick: UInt32, flags: UInt8, work: Double, rro: Double, observed: UInt32, pointer: UInt32,
                    instance: Int32, prices: [Double], available: [Bool]? = nil) {
            (self.id, self.tick, self.flags, self.work, self.rro) = (id, tick, flags, work, rro)
            (self.observed, self.pointer, self.instance, self.prices, self.available) = (observed, pointer, instance, prices, available)
        }
    }

    /// Decodes a step request's body (after the length prefix and opcode); the price vector of
    /// a query is as long as its run's region count, from `regionsOf` (ids created earlier).
    @inlinable
    public static func decodeStep(_ reader: inout WireReader, regionsOf: (UInt32) -> Int?)
        -> (new: [NewInstance], drop: [UInt32], queries: [Query])? {
        guard let nNew = reader.u32(), let nDrop = reader.u32(), let nQuery = reader.u32() else { return nil }
        var new: [NewInstance] = [], drop: [UInt32] = [], queries: [Query] = []
        var pending: [UInt32: Int] = [:]
        for _ in 0..<nNew {
            guard let id = reader.u32(), let gap = reader.f64(), let deadline = reader.f64(), let task = reader.f64(),
                  let overhead = reader.f64(), let regions = reader.u32(), regions >= 1, regions <= 1024,
                  let od = reader.f64() else { return nil }
            new.append(NewInstance(id: id, gap: gap, deadline: deadline, task: task, overhead: overhead, regions: regions, onDemandPrice: od))
            pending[id] = Int(regions)
        }
        for _ in 0..<nDrop {
            guard let id = reader.u32() else { return nil }
            drop.append(id)
        }
        for _ in 0..<nQuery {
            guard let id = reader.u32(), let tick = reader.u32(), let flags = reader.u8(), let work = reader.f64(),
                  let rro = reader.f64(), let observed = reader.u32(), let pointer = reader.u32(), let instance = reader.i32(),
                  let regions = pending[id] ?? regionsOf(id) else { return nil }
            var prices: [Double] = []
            prices.reserveCapacity(regions)
            for _ in 0..<regions {
                guard let p = reader.f64() else { return nil }
                prices.append(p)
            }
            var available: [Bool]?
            if flags & (1 << 5) != 0 {
                var everyRegion: [Bool] = []
                everyRegion.reserveCapacity(regions)
                for _ in 0..<regions {
                    guard let a = reader.u8(), a <= 1 else { return nil }
                    everyRegion.append(a == 1)
                }
                available = everyRegion
            }
            queries.append(Query(id: id, tick: tick, flags: flags, work: work, rro: rro, observed: observed, pointer: pointer,
                                 instance: instance, prices: prices, available: available))
        }
        return (new, drop, queries)
    }
}
