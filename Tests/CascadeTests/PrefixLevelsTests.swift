import CandidateAPI
@testable import Cascade
import Sim
import TestSupport
import Testing

@Suite struct PrefixLevelsTests {
    private func tables() throws -> [(name: String, table: PrefixTable)] {
        try ["products.csv", "tickets.csv"].map { name in
            (name, try PrefixTableFile.load(from: TestPaths.repositoryRoot.appendingPathComponent("traces/prefix/\(name)")))
        }
    }

    @Test func cheapLevelsAskTheSameQuestionOnSeededRowSamples() throws {
        let all = try tables()
        let levels = PrefixLevels.make(tables: all)
        #expect(levels.map(\.name) == ["cost_model", "coarse", "fine"])
        for (i, full) in all.enumerated() {
            let n = full.table.rows.count
            #expect(levels[0].tables[i].table.rows.count == max(50, Int((Double(n) * 0.05).rounded())))
            #expect(levels[1].tables[i].table.rows.count == Int((Double(n) * 0.1).rounded()))
            #expect(levels[1].tables[i].table.columns == full.table.columns)
            let rows = Set(full.table.rows)
            #expect(levels[1].tables[i].table.rows.allSatisfy { rows.contains($0) })
            #expect(levels[2].tables[i].table == full.table)
        }
        #expect(PrefixLevels.make(tables: all, seed: 1)[1].tables[0].table != levels[1].tables[0].table)
    }

    @Test func referencesAreTheGGRTemplatesScoresAtEachLevel() throws {
        let all = try tables()
        let levels = PrefixLevels.make(tables: all)
        let coarse = levels[1]
        var hits = 0, chars = 0
        for t in coarse.tables {
            let rate = try PrefixHitRate(table: t.table, ordering: GGRPolicy().reorder(t.table))
            hits += rate.hitChars
            chars += rate.totalChars
        }
        #expect(coarse.referenceMetrics() == ["phr": Double(hits) / Double(chars)])
        let fine = levels[2].referenceMetrics()
        #expect(fine.keys.sorted() == ["block_hit_rate", "phr", "saved_token_share"])
        #expect((fine["block_hit_rate"] ?? 0) > 0 && (fine["block_hit_rate"] ?? 1) < 1)
        #expect(levels.allSatisfy { $0.metrics.allSatisfy { !$0.lowerIsBetter } })
    }
}
