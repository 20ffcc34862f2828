import Sim
import Testing
import SimCore

@Suite struct SeededGeneratorTests {
    @Test func sameSeedSameStream() {
        var a = SeededGenerator(seed: 42), b = SeededGenerator(seed: 42), c = SeededGenerator(seed: 43)
        let streamA = (0..<100).map { _ in a.next() }
        #expect(streamA == (0..<100).map { _ in b.next() })
        #expect(streamA != (0..<100).map { _ in c.next() })
    }

    @Test func savedStateContinuesTheStream() {
        var a = SeededGenerator(seed: 7)
        for _ in 0..<10 { _ = a.next() }
        var restored = SeededGenerator(state: a.state)
        #expect((0..<20).map { _ in a.next() } == (0..<20).map { _ in restored.next() })
    }

    @Test func boundedIntegersCoverTheRangeUniformly() {
        var rng = SeededGenerator(seed: 9)
        var counts = [Int](repeating: 0, count: 6)
        for _ in 0..<60_000 { counts[rng.nextInt(below: 6)] += 1 }
        // Each bucket expects 10,000; 5 sigma ≈ 456.
        #expect(counts.allSatisfy { abs($0 - 10_000) < 460 })
    }

    @Test func unitDoublesAndNormalsHaveTheRightMoments() {
        var rng = SeededGenerator(seed: 11)
        let n = 100_000
        let u = (0..<n).map { _ in rng.nextUnitDouble() }
        #expect(u.allSatisfy { $0 >= 0 && $0 < 1 })
        #expect(abs(u.reduce(0, +) / Double(n) - 0.5) < 0.005)
        let z = (0..<n).map { _ in rng.nextStandardNormal() }
        let mean = z.reduce(0, +) / Double(n)
        let variance = z.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n)
        #expect(abs(mean) < 0.02 && abs(variance - 1) < 0.02)
    }
}
