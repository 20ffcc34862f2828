import CandidateAPI
import CandidateWire
import Testing

/// The one-shot wire codec through an in-memory buffer: round trips, every truncation, and
/// counts that would overflow — a decoder answers `nil`, never traps or over-allocates.
@Suite struct WireCodecTests {
    /// The instance bytes of a request frame (after its length and opcode), with the frame
    /// header checked.
    private func instance(_ encode: (inout WireWriter) -> Void) -> [UInt8] {
        var writer = WireWriter()
        encode(&writer)
        let bytes = writer.bytes
        let length = bytes.prefix(4).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        #expect(length == bytes.count - 4 && bytes[4] == OneShotWire.solveOpcode)
        return Array(bytes.dropFirst(5))
    }

    private func decode<T>(_ bytes: [UInt8], _ decoder: (inout WireReader) -> T?) -> T? {
        bytes.withUnsafeBytes { raw in
            var reader = WireReader(raw)
            return decoder(&reader)
        }
    }

    /// Little-endian u32s, for hand-made frames.
    private func words(_ values: [UInt32]) -> [UInt8] {
        values.flatMap { v in (0..<4).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }
    }

    static let eplb = EPLBInput(weights: [[1.5, 0, 7e300, 2], [3, 4, 5, 6.25]], replicas: 6, groups: 2, nodes: 1, gpus: 2)
    static let prefix = PrefixTable(columns: ["a", "b ✓"], rows: [["x", ""], ["ünï", "line\nbreak"]], columnMerges: [[1, 0], []],
                                    reorderArguments: PrefixReorderArguments(earlyStop: 7, distinctValueThreshold: 0.25, rowStop: 3, colStop: 9))
    static let txn = TxnWorkload(transactions: [[TxnOp(kind: .read, key: 3), TxnOp(kind: .write, key: -1)], []], keyCount: 4,
                                  seed: 0xFEDC_BA98_7654_3210)

    @Test func instancesRoundTrip() {
        #expect(decode(instance { OneShotWire.encode(Self.eplb, into: &$0) }, OneShotWire.decodeEPLB) == Self.eplb)
        #expect(decode(instance { OneShotWire.encode(Self.prefix, into: &$0) }, OneShotWire.decodePrefix) == Self.prefix)
        #expect(decode(instance { OneShotWire.encode(Self.txn, into: &$0) }, OneShotWire.decodeTxn) == Self.txn)
    }

    @Test func everyTruncationIsRefused() {
        let frames: [([UInt8], ([UInt8]) -> Bool)] = [
            (instance { OneShotWire.encode(Self.eplb, into: &$0) }, { decode($0, OneShotWire.decodeEPLB) == nil }),
            (instance { OneShotWire.encode(Self.prefix, into: &$0) }, { decode($0, OneShotWire.decodePrefix) == nil }),
            (instance { OneShotWire.encode(Self.txn, into: &$0) }, { decode($0, OneShotWire.decodeTxn) == nil }),
        ]
        for (bytes, refuses) in frames {
            for cut in 0..<bytes.count { #expect(refuses(Array(bytes.prefix(cut))), "cut at \(cut) of \(bytes.count)") }
        }
    }

    @Test func countsBeyondTheFrameAreRefused() {
        let huge = UInt32.max
        // layers × experts × 8 and columns × (rows + 1) would overflow a 64-bit product.
        #expect(decode(words([huge, huge, 1, 1, 1, 1]) + [UInt8](repeating: 0, count: 64), OneShotWire.decodeEPLB) == nil)
        #expect(decode(words([huge, huge]) + [UInt8](repeating: 0, count: 64), OneShotWire.decodePrefix) == nil)
        #expect(decode(words([huge, 1]) + [UInt8](repeating: 0, count: 64), OneShotWire.decodeTxn) == nil)
        // Zero experts or columns: no product to overflow, but 2^32 empty arrays to allocate.
        #expect(decode(words([huge, 0, 1, 1, 1, 1]) + [UInt8](repeating: 0, count: 64), OneShotWire.decodeEPLB) == nil)
        #expect(decode(words([0, huge]) + [UInt8](repeating: 0, count: 64), OneShotWire.decodePrefix) == nil)
        #expect(decode(words([1, 1, huge]), OneShotWire.decodeTxn) == nil)
        // Answers: more rows than allowed, a row longer than allowed, a row longer than the frame.
        #expect(decode(words([3, 0, 0, 0]), { OneShotWire.readRows(&$0, maxRows: 2, maxPerRow: 4) }) == nil)
        #expect(decode(words([1, 5, 0, 0, 0, 0, 0]), { OneShotWire.readRows(&$0, maxRows: 2, maxPerRow: 4) }) == nil)
        #expect(decode(words([1, 3, 7]), { OneShotWire.readRows(&$0, maxRows: 2, maxPerRow: 4) }) == nil)
        #expect(decode(words([2, 1, 7, 0]), { OneShotWire.readRows(&$0, maxRows: 2, maxPerRow: 4) }) == [[7], []])
    }

    /// A merge group naming a column the table does not have is refused.
    @Test func aMergeGroupOutsideTheColumnsIsRefused() {
        var bytes = instance { OneShotWire.encode(Self.prefix, into: &$0) }
        // The first group's second index (1, 0 → 1, 2): after the two u32 counts, the names and
        // cells, the group count and the first group's size and first index.
        let strings = (Self.prefix.columns + Self.prefix.rows.flatMap { $0 }).reduce(0) { $0 + 4 + $1.utf8.count }
        let at = 8 + strings + 4 + 4 + 4
        #expect(bytes[at] == 0)
        bytes[at] = 2
        #expect(decode(bytes, OneShotWire.decodePrefix) == nil)
        bytes[at] = 1
        #expect(decode(bytes, OneShotWire.decodePrefix)?.columnMerges == [[1, 1], []])
    }

    @Test func answerRowsRoundTrip() {
        var writer = WireWriter()
        OneShotWire.writeRows([[0, 5, -2], [], [2_147_483_647]], into: &writer)
        #expect(decode(writer.bytes, { OneShotWire.readRows(&$0, maxRows: 3, maxPerRow: 3) }) == [[0, 5, -2], [], [2_147_483_647]])
    }

    /// A multi-region step: every region's availability travels only when the view has it (the
    /// reference model), and a flag byte other than 0 or 1 is refused.
    @Test func multiRegionStepsCarryEveryRegionsAvailabilityOnlyWhenShown() throws {
        func view(_ available: [Bool]?) -> MultiRegionView {
            MultiRegionView(tick: 7, elapsed: 7 * 60, gap: 60, deadline: 3600, taskDuration: 1800, restartOverhead: 30,
                            workDone: 120, remainingRestartOverhead: 0, lastCluster: .spot, currentCluster: .none, hasSpot: false,
                            observedRegion: 1, regionPointer: 1, instanceRegion: -1, regionCount: 3, spotPrices: [1.5, 2, 0.25],
                            onDemandPrice: 3.06, spotAvailableByRegion: available)
        }
        let new = SpotMultiWire.NewInstance(id: 4, gap: 60, deadline: 3600, task: 1800, overhead: 30, regions: 3, onDemandPrice: 3.06)
        var writer = WireWriter()
        SpotMultiWire.encodeStep(new: [new], drop: [], queries: [(4, view([true, false, true])), (4, view(nil))], into: &writer)
        let body = Array(writer.bytes.dropFirst(5))
        let step = try #require(decode(body) { SpotMultiWire.decodeStep(&$0) { _ in nil } })
        #expect(step.new == [new] && step.queries.count == 2)
        #expect(step.queries.map(\.available) == [[true, false, true], nil])
        #expect(step.queries.allSatisfy { $0.prices == [1.5, 2, 0.25] && $0.observed == 1 && $0.instance == -1 })
        // The first query's availability bytes are the three before the second query (49 bytes
        // after its id: tick, flags, work, rro, observed, pointer, instance, 3 prices).
        let firstAvailability = body.count - (4 + 4 + 1 + 8 + 8 + 4 + 4 + 4 + 24) - 3
        var forged = body
        forged[firstAvailability] = 2
        #expect(decode(forged) { SpotMultiWire.decodeStep(&$0) { _ in nil } } == nil)
    }
}

/// The host sends a policy's `Cluster` as its bits (so a value that is no case reaches the
/// parent as it is): that is the raw value for every case.
@Suite struct ClusterBitsTests {
    @Test func everyCasesBitsAreItsRawValue() {
        for c in Cluster.allCases { #expect(unsafeBitCast(c, to: UInt8.self) == c.rawValue, "\(c)") }
        #expect(MemoryLayout<Cluster>.size == 1)
    }
}
