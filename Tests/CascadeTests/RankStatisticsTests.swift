@testable import Cascade
import Testing

@Suite struct RankStatisticsTests {
    @Test func perfectAndReversedOrders() {
        let x = [1.0, 2, 3, 4, 5]
        #expect(RankStatistics.spearman(x, x.map { $0 * 10 }) == 1)
        #expect(RankStatistics.spearman(x, x.reversed()) == -1)
        #expect(RankStatistics.kendall(x, x.map { $0 * $0 }) == 1)
        #expect(RankStatistics.kendall(x, x.reversed()) == -1)
        #expect(RankStatistics.spearman([1, 2], [1, 2]) == nil)
        #expect(RankStatistics.spearman([1, 1, 1], [1, 2, 3]) == nil)
    }

    @Test func knownValuesWithTies() {
        // Spearman with average ranks; Kendall tau-b (worked by hand).
        let x = [1.0, 2, 2, 3, 4], y = [2.0, 1, 3, 3, 5]
        #expect(RankStatistics.ranks(x) == [1, 2.5, 2.5, 4, 5])
        let rho = RankStatistics.spearman(x, y)!
        #expect(abs(rho - 0.7631578947368421) < 1e-12)
        // Pairs: 10; concordant 7, discordant 1, tied only in x 1, tied only in y 1.
        let tau = RankStatistics.kendall(x, y)!
        #expect(abs(tau - 6 / 9) < 1e-12)
    }

    @Test func bootstrapIntervalContainsTheEstimateAndIsReproducible() {
        let x = (0..<40).map { Double($0) }, y = x.map { $0 + Double(Int($0) % 7) }
        let a = RankStatistics.bootstrap(x, y, RankStatistics.spearman)!
        let b = RankStatistics.bootstrap(x, y, RankStatistics.spearman)!
        #expect(a.low == b.low && a.high == b.high)
        let rho = RankStatistics.spearman(x, y)!
        #expect(a.low <= rho && rho <= a.high)
    }
}
