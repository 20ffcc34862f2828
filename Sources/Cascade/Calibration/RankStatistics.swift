/// Rank agreement between two scorings of the same candidates.
public enum RankStatistics {
    /// Average ranks (ties share the mean of their positions), 1-based.
    /// - Complexity: O(n log n).
    static func ranks(_ values: [Double]) -> [Double] {
        let order = values.indices.sorted { values[$0] < values[$1] }
        var ranks = [Double](repeating: 0, count: values.count)
        var i = 0
        while i < order.count {
            var j = i
            while j + 1 < order.count && values[order[j + 1]] == values[order[i]] { j += 1 }
            let average = Double(i + j) / 2 + 1
            for k in i...j { ranks[order[k]] = average }
            i = j + 1
        }
        return ranks
    }

    /// Spearman's rank correlation (Pearson on average ranks); `nil` below 3 points or with no
    /// spread.
    public static func spearman(_ x: [Double], _ y: [Double]) -> Double? {
        guard x.count == y.count, x.count >= 3 else { return nil }
        return pearson(ranks(x), ranks(y))
    }

    /// Kendall's tau-b; `nil` below 3 points or with no spread.
    /// - Complexity: O(n²) (pools are hundreds of candidates).
    public static func kendall(_ x: [Double], _ y: [Double]) -> Double? {
        guard x.count == y.count, x.count >= 3 else { return nil }
        var concordant = 0.0, discordant = 0.0, tiesX = 0.0, tiesY = 0.0
        for i in 0..<x.count {
            for j in (i + 1)..<x.count {
                let dx = x[i] - x[j], dy = y[i] - y[j]
                if dx == 0 && dy == 0 { continue }
                if dx == 0 { tiesX += 1 } else if dy == 0 { tiesY += 1 } else if (dx > 0) == (dy > 0) { concordant += 1 } else { discordant += 1 }
            }
        }
        let denominator = ((concordant + discordant + tiesX) * (concordant + discordant + tiesY)).squareRoot()
        return denominator > 0 ? (concordant - discordant) / denominator : nil
    }

    static func pearson(_ x: [Double], _ y: [Double]) -> Double? {
        let n = Double(x.count)
        let mx = x.reduce(0, +) / n, my = y.reduce(0, +) / n
        var sxy = 0.0, sxx = 0.0, syy = 0.0
        for i in x.indices {
            sxy += (x[i] - mx) * (y[i] - my)
            sxx += (x[i] - mx) * (x[i] - mx)
            syy += (y[i] - my) * (y[i] - my)
        }
        return sxx > 0 && syy > 0 ? sxy / (sxx * syy).squareRoot() : nil
    }

    /// A percentile bootstrap interval (2.5 %, 97.5 %) of `statistic` over resampled pairs.
    public static func bootstrap(_ x: [Double], _ y: [Double], resamples: Int = 1000, seed: UInt64 = 7,
                                 _ statistic: ([Double], [Double]) -> Double?) -> (low: Double, high: Double)? {
        guard x.count >= 3 else { return nil }
        var rng = SeededBootstrap(seed: seed)
        var values: [Double] = []
        for _ in 0..<resamples {
            let picks = (0..<x.count).map { _ in rng.below(x.count) }
            if let v = statistic(picks.map { x[$0] }, picks.map { y[$0] }) { values.append(v) }
        }
        guard values.count >= resamples / 2 else { return nil }
        values.sort()
        return (values[Int(Double(values.count) * 0.025)], values[min(values.count - 1, Int(Double(values.count) * 0.975))])
    }
}

/// SplitMix64, enough for resampling indices reproducibly.
struct SeededBootstrap {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
}
