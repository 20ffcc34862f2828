@testable import Evolve
import Testing
import SimCore

@Suite struct PopulationTests {
    private var config: SelectionConfig {
        var config = SelectionConfig()
        config.islands = 2
        config.bins = [4]
        return config
    }

    private func population(_ individuals: [Individual], migrations: [(id: Int64, island: Int)] = []) -> Population {
        var ranges = FeatureRanges(dimensions: 1)
        for i in individuals { ranges.include(i.features) }
        return Population(individuals: individuals, migrations: migrations, ranges: ranges, config: config)
    }

    @Test func featuresAreBinnedOverTheRangeSeen() {
        var ranges = FeatureRanges(dimensions: 1)
        ranges.include([10])
        ranges.include([50])
        #expect([10.0, 19.9, 20, 49, 50, 80].map { ranges.bin($0, dimension: 0, bins: 4) } == [0, 0, 1, 3, 3, 3])
        #expect(FeatureRanges(dimensions: 1).bin(5, dimension: 0, bins: 4) == 0)
    }

    @Test func eachCellKeepsItsFittestAndIslandsAreSeparate() {
        let p = population([Individual(id: 1, island: 0, fitness: 1, features: [0]),
                            Individual(id: 2, island: 0, fitness: 5, features: [1]),   // same cell as 1, fitter
                            Individual(id: 3, island: 0, fitness: 2, features: [100]),
                            Individual(id: 4, island: 1, fitness: 9, features: [0])])
        #expect(p.elites(island: 0).map(\.id) == [2, 3])
        #expect(p.elites(island: 1).map(\.id) == [4])
        #expect(p.inspirations(island: 0, excluding: 2).map(\.id) == [3])
    }

    @Test func parentsComeOnlyFromTheIslandAndTheSameSeedGivesTheSameDraws() {
        let p = population((1...20).map { Individual(id: Int64($0), island: $0 % 2, fitness: Double($0), features: [Double($0)]) })
        var a = SeededGenerator(seed: 3), b = SeededGenerator(seed: 3)
        let draws = (0..<50).compactMap { _ in p.parent(island: 1, rng: &a)?.id }
        #expect(draws.count == 50 && draws.allSatisfy { $0 % 2 == 1 })
        #expect(draws == (0..<50).compactMap { _ in p.parent(island: 1, rng: &b)?.id })
        var empty = SeededGenerator(seed: 1)
        #expect(population([]).parent(island: 0, rng: &empty) == nil)
    }

    @Test func theBestMigratesAroundTheRingAtTheInterval() {
        let p = population([Individual(id: 1, island: 0, fitness: 3, features: [0]),
                            Individual(id: 2, island: 0, fitness: 7, features: [1]),
                            Individual(id: 3, island: 1, fitness: 4, features: [0])])
        #expect(p.migrations(generation: 9).isEmpty)
        let moves = p.migrations(generation: 10)
        #expect(moves.map(\.id) == [2, 3] && moves.map(\.island) == [1, 0])
        let after = population(p.individuals, migrations: moves)
        #expect(after.members(island: 1).map(\.id).sorted() == [2, 3])
    }
}

/// The report's search → held-out retention: the share of the search improvement that the
/// held-out inputs keep.
@Suite struct HeldOutRetentionTests {
    @Test func retentionIsTheHeldOutImprovementOverTheSearchOne() {
        func held(_ initial: Double, _ best: Double) -> [EvolveReport.Rescore] {
            [EvolveReport.Rescore(set: "held-out", initial: initial, best: best, note: nil)]
        }
        // Lower is better: 210 better on search, 103 worse held out.
        let txn = EvolveReport.retention(initial: 4127, best: 3917, rescored: held(3628, 3731), lowerIsBetter: true)
        #expect(txn.map { abs($0 - (-103.0 / 210.0)) < 1e-12 } == true)
        // Higher is better: 0.016 gained on search, 0.003 held out.
        let prefix = EvolveReport.retention(initial: 0.198, best: 0.214, rescored: held(0.227, 0.230), lowerIsBetter: false)
        #expect(prefix.map { abs($0 - 0.003 / 0.016) < 1e-9 } == true)
        // No search improvement, or no held-out score: nothing to say.
        #expect(EvolveReport.retention(initial: 1, best: 1, rescored: held(1, 2), lowerIsBetter: true) == nil)
        #expect(EvolveReport.retention(initial: 2, best: 1, rescored: [], lowerIsBetter: true) == nil)
    }
}
