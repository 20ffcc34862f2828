/// A seeded, reproducible random number generator (xoshiro256**, seeded through SplitMix64).
///
/// Every random choice in the simulators and generators takes one of these, so the same seed
/// gives the same output on every run. Its helpers below are defined here rather than taken from
/// the standard library's `random(in:using:)`, whose algorithms may change between Swift releases
/// and would silently change committed generated traces.
public struct SeededGenerator: RandomNumberGenerator, Sendable, Equatable {
    /// The full generator state; persisting it and restoring it continues the stream exactly.
    public private(set) var state: (UInt64, UInt64, UInt64, UInt64)

    /// Seeds the four state words from `seed` with SplitMix64, as the xoshiro authors recommend.
    public init(seed: UInt64) {
        var sm = seed
        func splitMix() -> UInt64 {
            sm &+= 0x9E37_79B9_7F4A_7C15
            var z = sm
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        state = (splitMix(), splitMix(), splitMix(), splitMix())
    }

    /// Restores a generator from a saved `state`.
    public init(state: (UInt64, UInt64, UInt64, UInt64)) {
        precondition(state != (0, 0, 0, 0), "xoshiro256** state must not be all zero")
        self.state = state
    }

    /// - Complexity: O(1).
    public mutating func next() -> UInt64 {
        let result = rotl(state.1 &* 5, 7) &* 9
        let t = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= t
        state.3 = rotl(state.3, 45)
        return result
    }

    @inline(__always)
    func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    public static func == (lhs: SeededGenerator, rhs: SeededGenerator) -> Bool {
        lhs.state == rhs.state
    }
}

extension SeededGenerator {
    /// A uniform double in [0, 1) with 53 random bits.
    public mutating func nextUnitDouble() -> Double {
        Double(next() >> 11) * 0x1p-53
    }

    /// A uniform integer in `0..<bound` (Lemire's multiply-shift with rejection; unbiased).
    public mutating func nextInt(below bound: Int) -> Int {
        precondition(bound > 0, "bound must be positive")
        let b = UInt64(bound)
        var product = next().multipliedFullWidth(by: b)
        if product.low < b {
            let threshold = (0 &- b) % b
            while product.low < threshold { product = next().multipliedFullWidth(by: b) }
        }
        return Int(product.high)
    }

    /// Shuffles `elements` in place (Fisher–Yates from the back, one `nextInt` per position), so
    /// a seed fixes the order on every platform.
    /// - Complexity: O(n).
    public mutating func shuffle<Element>(_ elements: inout [Element]) {
        for i in stride(from: elements.count - 1, to: 0, by: -1) { elements.swapAt(i, nextInt(below: i + 1)) }
    }

    /// A standard normal variate (Box–Muller, one of the pair; the other is discarded so that the
    /// stream position does not depend on call history).
    public mutating func nextStandardNormal() -> Double {
        // 1 − u lies in (0, 1], so the logarithm is finite.
        let u1 = 1.0 - nextUnitDouble()
        let u2 = nextUnitDouble()
        return (-2.0 * _log(u1)).squareRoot() * _cos(2.0 * Double.pi * u2)
    }
}
