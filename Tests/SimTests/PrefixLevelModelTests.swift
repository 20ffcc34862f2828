import CandidateAPI
@testable import Sim
import Testing

/// The fine (KV cache with token blocks) and cheap (column statistics) prefix models.
@Suite struct PrefixLevelModelTests {
    private func table(_ rows: [[String]]) -> PrefixTable {
        PrefixTable(columns: (0..<(rows.first?.count ?? 0)).map { "c\($0)" }, rows: rows)
    }

    private func identity(_ t: PrefixTable, rowOrder: [Int]? = nil) -> PrefixOrdering {
        PrefixOrdering(fieldOrders: t.rows.map { _ in Array(0..<t.columns.count) }, rowOrder: rowOrder)
    }

    private func model(blocks: Int) -> KVCacheModel {
        var model = KVCacheModel()
        model.capacityBlocks = blocks
        return model
    }

    /// 32 single-letter tokens: exactly two blocks.
    private let twoBlocks = String(repeating: "a b ", count: 8)

    @Test func tokensAreShortWordPiecesAndSingleOtherCharacters() {
        var tokens: [UInt64] = []
        KVCacheSimulation.tokenize(Array("abcdefg, x".unicodeScalars.map(\.value)), maxScalars: 4, into: &tokens)
        #expect(tokens.count == 5)  // abcd efg , ␠ x
        var again: [UInt64] = []
        KVCacheSimulation.tokenize(Array("abcd".unicodeScalars.map(\.value)), maxScalars: 4, into: &again)
        #expect(again == [tokens[0]])
    }

    @Test func aRepeatedRowHitsEveryFullBlockAndAPartialBlockIsNeverCached() {
        let t = table([[twoBlocks + "z"], [twoBlocks + "z"]])
        let result = KVCacheSimulation.run(ScalarTable(t), ordering: identity(t))
        #expect(result.tokens == 66 && result.blocks == 4 && result.hitBlocks == 2 && result.evictions == 0)
        #expect(result.savedTokens == 32 && result.blockHitRate == 0.5)
    }

    @Test func aBlockIsReusedOnlyBehindAnIdenticalPrefix() {
        // The second block's tokens are the same, but the first block differs.
        let first = String(repeating: "a b ", count: 4), second = String(repeating: "c d ", count: 4)
        let other = String(repeating: "e f ", count: 4)
        let t = table([[first + second], [other + second]])
        #expect(KVCacheSimulation.run(ScalarTable(t), ordering: identity(t)).hitBlocks == 0)
    }

    @Test func finiteCapacityEvictsTheLeastRecentlyUsedAndRowOrderMatters() {
        let a = String(repeating: "a ", count: 8), b = String(repeating: "b ", count: 8)
        let t = table([[a], [b], [a]])
        // One block of room: b evicts a, so the third row misses; grouped, a's rows share it.
        let apart = KVCacheSimulation.run(ScalarTable(t), ordering: identity(t), model: model(blocks: 1))
        let grouped = KVCacheSimulation.run(ScalarTable(t), ordering: identity(t, rowOrder: [0, 2, 1]), model: model(blocks: 1))
        #expect(apart.hitBlocks == 0 && apart.evictions == 2)
        #expect(grouped.hitBlocks == 1 && grouped.evictions == 1)
        // The public PHR cannot tell the two apart: it does not depend on the row order.
        let phrApart = try? PrefixHitRate(table: t, ordering: identity(t))
        let phrGrouped = try? PrefixHitRate(table: t, ordering: identity(t, rowOrder: [0, 2, 1]))
        #expect(phrApart != nil && phrApart == phrGrouped)
        // With room for both, order no longer matters.
        #expect(KVCacheSimulation.run(ScalarTable(t), ordering: identity(t), model: model(blocks: 2)).hitBlocks == 1)
    }

    @Test func theColumnEstimateRewardsSharedColumnsFirst() {
        // Column 0: one value of 4 characters; column 1: unique 2-character values.
        let t = table((0..<10).map { ["same", String(format: "%02d", $0)] })
        let stats = PrefixColumnEstimate.statistics(t)
        #expect(stats.distinct == [1, 10] && stats.meanLength == [4, 2] && stats.totalChars == 60)
        let sharedFirst = PrefixColumnEstimate.hitRate(stats, ordering: identity(t))
        #expect(abs(sharedFirst - 9.0 * 4 / 60) < 1e-12)
        let uniqueFirst = PrefixOrdering(fieldOrders: t.rows.map { _ in [1, 0] })
        #expect(PrefixColumnEstimate.hitRate(stats, ordering: uniqueFirst) == 0)
        // The most common field order decides: 6 rows shared-first outvote 4 unique-first.
        let mixed = PrefixOrdering(fieldOrders: (0..<10).map { $0 < 6 ? [0, 1] : [1, 0] })
        #expect(PrefixColumnEstimate.hitRate(stats, ordering: mixed) == sharedFirst)
    }
}
