@testable import Cascade
import Testing

@Suite struct SequentialTestTests {
    @Test(arguments: [(1, 12.7062), (3, 3.1824), (10, 2.2281), (30, 2.0423), (1000, 1.9623)])
    func tQuantilesMatchTables(df: Int, expected: Double) {
        #expect(abs(StudentT.quantile(0.975, degreesOfFreedom: df) - expected) < 1e-4)
        #expect(abs(StudentT.quantile(0.025, degreesOfFreedom: df) + expected) < 1e-4)
    }

    private func test(passEarly: Bool = true) -> SequentialTest {
        SequentialTest(settings: SequentialSettings(batches: 4, confidence: 0.95, seed: 7), factor: 1.1,
                       lowerIsBetter: true, mayPassEarly: passEarly)
    }

    private func units(_ values: [Double], reference: Double = 100) -> [SequentialTest.Unit] {
        values.map { .init(value: $0, reference: reference, items: 1) }
    }

    @Test func clearlyWorseUnitsAreRejectedEarly() {
        let verdict = test().decide(units([150, 152, 149, 151]), unitsTotal: 16, itemsTotal: 16)
        #expect(verdict.decision == .reject && verdict.meanExcess.lowerBound > 0)
    }

    @Test func clearlyBetterUnitsPassEarlyExceptAtTheLastStage() {
        let better = units([90, 91, 89, 90])
        #expect(test().decide(better, unitsTotal: 16, itemsTotal: 16).decision == .pass)
        #expect(test(passEarly: false).decide(better, unitsTotal: 16, itemsTotal: 16).decision == .undecided)
    }

    @Test func spreadNearTheGateStaysUndecided() {
        #expect(test().decide(units([60, 160, 100, 130]), unitsTotal: 16, itemsTotal: 16).decision == .undecided)
        // One unit gives no spread to bound.
        #expect(test().decide(units([500]), unitsTotal: 16, itemsTotal: 16).decision == .undecided)
    }

    @Test func withEveryUnitRunTheDecisionIsTheFullGate() {
        // Mean 110.25 vs gate 110: reject; mean 109.75: pass — however wide the spread.
        let over = test().decide(units([60, 160, 100, 121]), unitsTotal: 4, itemsTotal: 4)
        #expect(over.decision == .reject && over.meanExcess.lowerBound == over.meanExcess.upperBound)
        #expect(abs(over.meanExcess.lowerBound - 0.25) < 1e-12)
        #expect(test(passEarly: false).decide(units([60, 160, 100, 119]), unitsTotal: 4, itemsTotal: 4).decision == .pass)
    }

    @Test func higherIsBetterMetricsFlipTheSides() {
        let test = SequentialTest(settings: SequentialSettings(), factor: 0.9, lowerIsBetter: false, mayPassEarly: true)
        #expect(test.decide(units([50, 51, 49]), unitsTotal: 10, itemsTotal: 10).decision == .reject)
        #expect(test.decide(units([99, 100, 101]), unitsTotal: 10, itemsTotal: 10).decision == .pass)
    }

    @Test func batchesPartitionTheUnitsInASeededOrder() {
        let batches = test().batches(ofUnits: 10)
        #expect(batches.count == 4 && batches.flatMap { $0 }.sorted() == Array(0..<10))
        #expect(batches == test().batches(ofUnits: 10))
        var other = test()
        other.settings.seed = 8
        #expect(other.batches(ofUnits: 10) != batches)
        #expect(test().batches(ofUnits: 2).count == 2)
    }

    @Test func budgetsParseAndRefuseNonsense() throws {
        #expect(try StageBudget(parsing: "coarse=5") == StageBudget(level: "coarse", wallSeconds: 5))
        #expect(try StageBudget(parsing: "fine=30,12") == StageBudget(level: "fine", wallSeconds: 30, cpuSeconds: 12))
        for bad in ["coarse", "=5", "coarse=0", "coarse=5,0", "coarse=5,1.5", "coarse=-1", "coarse=5,6,7"] {
            #expect(throws: CascadeError.self, "\(bad)") { try StageBudget(parsing: bad) }
        }
    }

    @Test func aStageBudgetNeverLoosensTheGlobalTimeout() {
        var limits = SandboxLimits()
        limits.wallSeconds = 10
        let sandbox = Sandbox(mode: .unsafeNone, limits: limits, spawner: PosixSpawner())
        #expect(sandbox.limited(to: StageBudget(level: "fine", wallSeconds: 60)).limits.wallSeconds == 10)
        let tight = sandbox.limited(to: StageBudget(level: "coarse", wallSeconds: 2, cpuSeconds: 1)).limits
        #expect(tight.wallSeconds == 2 && tight.cpuSeconds == 1)
        #expect(sandbox.limited(to: nil).limits == limits)
    }

    @Test func unitsOfUnequalSizeAreWeighedByTheirSums() {
        // 3 items at 120 in one unit, 1 item at 100 in the other, gate 110 per item: the total
        // excess is 3·10 − 10 = 20 > 0, so with every unit run the candidate is rejected.
        let units = [SequentialTest.Unit(value: 360, reference: 300, items: 3), .init(value: 100, reference: 100, items: 1)]
        let verdict = test().decide(units, unitsTotal: 2, itemsTotal: 4)
        #expect(verdict.decision == .reject && abs(verdict.meanExcess.lowerBound - 5) < 1e-12)
    }

    @Test func interimLooksShareTheErrorRate() {
        // The same data, decided with more batches, needs a wider interval at each look.
        let units = units([130, 118, 124, 121])
        let few = SequentialTest(settings: SequentialSettings(batches: 2), factor: 1.1, lowerIsBetter: true, mayPassEarly: true)
        let many = SequentialTest(settings: SequentialSettings(batches: 20), factor: 1.1, lowerIsBetter: true, mayPassEarly: true)
        let a = few.decide(units, unitsTotal: 40, itemsTotal: 40).meanExcess
        let b = many.decide(units, unitsTotal: 40, itemsTotal: 40).meanExcess
        #expect(b.upperBound - b.lowerBound > a.upperBound - a.lowerBound)
    }
}
