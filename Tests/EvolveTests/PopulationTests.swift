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
