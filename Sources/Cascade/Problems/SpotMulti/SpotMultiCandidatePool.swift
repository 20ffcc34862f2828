/// Calibration candidates for multi-region spot: round-robin (the template) and
/// uniform-progress-multi, a grid of round-robin variants (slack for restarts, a safety margin,
/// where to go when spot is gone: the next region, the cheapest by current price, or nowhere,
/// and whether to pay on demand meanwhile), and a minority of deliberately bad policies.
public enum SpotMultiCandidatePool {
    /// Up to `size` candidates, at most 20 % bad, the variants spread evenly over the grid.
    public static func make(size: Int) -> [PoolCandidate] {
        var pool = [PoolCandidate(name: "round-robin (template)", origin: .baseline, source: CandidateProblem.spotMulti.template),
                    PoolCandidate(name: "uniform-progress-multi", origin: .baseline, source: uniformProgressMulti)]
        var variants: [PoolCandidate] = []
        for margin in [0, 1, 2, 4, 8, 16] {
            for a in [0.5, 1.0, 2.0] {
                for b in [1.5, 2.0, 3.0, 4.0] where b >= a {
                    for move in ["next", "cheapest", "stay"] {
                        for idle in [true, false] {
                            variants.append(PoolCandidate(name: "round-robin margin=\(margin) a=\(a) b=\(b) \(move) \(idle ? "wait" : "pay")",
                                                          origin: .variant, source: parametric(margin: margin, a: a, b: b, move: move, idle: idle)))
                        }
                    }
                }
            }
        }
        let badCount = min(size / 5, max(1, size / 6), (pool.count + variants.count) / 4)
        let wanted = min(variants.count, max(0, size - pool.count - badCount))
        pool += (0..<wanted).map { variants[$0 * variants.count / max(wanted, 1)] }
        let bad = [
            PoolCandidate(name: "always on-demand", origin: .bad, source: simple("MultiRegionDecision(.onDemand)")),
            PoolCandidate(name: "spot or nothing", origin: .bad, source: simple("MultiRegionDecision(v.hasSpot ? .spot : .none)")),
            PoolCandidate(name: "hop every tick", origin: .bad,
                          source: simple("MultiRegionDecision(.spot, region: (v.regionPointer + 1) % v.regionCount)")),
        ] + (0..<max(0, badCount - 3)).map { k in PoolCandidate(name: "coin flips \(k)", origin: .bad, source: coinFlips(seed: k)) }
        return pool + bad.prefix(badCount)
    }

    static func parametric(margin: Int, a: Double, b: Double, move: String, idle: Bool) -> String {
        let target: String
        switch move {
        case "next": target = "(v.regionPointer + 1) % v.regionCount"
        case "cheapest": target = "v.spotPrices.indices.filter { $0 != v.regionPointer }.min { v.spotPrices[$0] < v.spotPrices[$1] } ?? v.regionPointer"
        default: target = "v.regionPointer"
        }
        return """
            import CandidateAPI

            struct Candidate: MultiRegionPolicy {
                init() {}
                mutating func decide(_ v: MultiRegionView) -> MultiRegionDecision {
                    let remaining = v.remainingWork
                    if remaining <= 1e-3 { return MultiRegionDecision(.none) }
                    let left = ((v.deadline - v.elapsed) / v.gap).rounded(.down) - \(margin)
                    let need1 = ((remaining + \(a) * v.restartOverhead) / v.gap).rounded(.up)
                    let need2 = ((remaining + \(b) * v.restartOverhead) / v.gap).rounded(.up)
                    if need1 >= left { return MultiRegionDecision(.onDemand) }
                    if need2 >= left { return MultiRegionDecision(v.lastCluster == .spot && v.hasSpot ? .spot : .onDemand) }
                    if v.hasSpot { return MultiRegionDecision(.spot) }
                    return MultiRegionDecision(\(idle ? ".none" : ".onDemand"), region: \(target))
                }
            }

            """
    }

    static func simple(_ expression: String) -> String {
        """
        import CandidateAPI

        struct Candidate: MultiRegionPolicy {
            init() {}
            mutating func decide(_ v: MultiRegionView) -> MultiRegionDecision { \(expression) }
        }

        """
    }

    static func coinFlips(seed: Int) -> String {
        """
        import CandidateAPI

        struct Candidate: MultiRegionPolicy {
            var state: UInt64 = \(seed + 1) &* 0x9E3779B97F4A7C15
            init() {}
            mutating func decide(_ v: MultiRegionView) -> MultiRegionDecision {
                state = state &* 6364136223846793005 &+ 1442695040888963407
                switch state >> 62 {
                case 0: return MultiRegionDecision(.none, region: Int(state % UInt64(v.regionCount)))
                case 1: return MultiRegionDecision(.onDemand)
                default: return MultiRegionDecision(v.hasSpot ? .spot : .onDemand)
                }
            }
        }

        """
    }

    /// The single-region uniform-progress candidate, on the observed region; when it idles, the
    /// pointer moves to the next region.
    static let uniformProgressMulti = SpotCandidatePool.uniformProgress
        .replacingOccurrences(of: "struct Candidate: SpotPolicy", with: "struct UniformProgress: SpotPolicy") + """

        struct Candidate: MultiRegionPolicy {
            var single = UniformProgress()
            init() {}
            mutating func decide(_ v: MultiRegionView) -> MultiRegionDecision {
                let cluster = single.decide(v.singleRegion)
                return cluster == .none && v.remainingWork > 1e-3
                    ? MultiRegionDecision(.none, region: (v.regionPointer + 1) % v.regionCount) : MultiRegionDecision(cluster)
            }
        }

        """
}
