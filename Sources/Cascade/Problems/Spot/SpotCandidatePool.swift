/// Calibration candidates for spot: the built-in baselines as candidates, systematic variants of
/// greedy (slack for one and two restarts, a safety margin, waiting or paying when spot is gone)
/// and a minority of deliberately bad policies.
public enum SpotCandidatePool {
    /// Up to `size` candidates (≥ 100 for a full calibration; fewer only when the grid runs
    /// out, past 400), of which at most 20 % bad, the variants spread evenly over the grid.
    public static func make(size: Int) -> [PoolCandidate] {
        var pool: [PoolCandidate] = [PoolCandidate(name: "greedy (template)", origin: .baseline,
                                                   source: CandidateProblem.spot.template)]
        pool.append(PoolCandidate(name: "uniform-progress", origin: .baseline, source: uniformProgress))
        var variants: [PoolCandidate] = []
        for margin in [0, 1, 2, 3, 4, 6, 8, 12] {
            for a in [0.0, 0.5, 1.0, 2.0, 3.0] {
                for b in [1.0, 1.5, 2.0, 3.0, 4.0] where b >= a {
                    for idle in [true, false] {
                        variants.append(PoolCandidate(
                            name: "greedy margin=\(margin) a=\(a) b=\(b) \(idle ? "wait" : "pay")", origin: .variant,
                            source: parametricGreedy(margin: margin, a: a, b: b, idle: idle)))
                    }
                }
            }
        }
        // At most 20 % bad, of the pool asked for and of the pool the grid can make.
        let badCount = min(size / 5, max(1, size / 6), (pool.count + variants.count) / 4)
        let wanted = min(variants.count, max(0, size - pool.count - badCount))
        // Spread the chosen variants evenly over the grid (not its first rows).
        pool += (0..<wanted).map { variants[$0 * variants.count / max(wanted, 1)] }
        let bad: [PoolCandidate] = [
            PoolCandidate(name: "always on-demand", origin: .bad, source: simple(".onDemand")),
            PoolCandidate(name: "spot or nothing", origin: .bad, source: simple("v.hasSpot ? .spot : .none")),
            PoolCandidate(name: "on-demand only when spot is up", origin: .bad, source: simple("v.hasSpot ? .onDemand : .none")),
        ] + (0..<max(0, badCount - 3)).map { k in
            PoolCandidate(name: "coin flips \(k)", origin: .bad, source: coinFlips(seed: k))
        }
        return pool + bad.prefix(badCount)
    }


    static func parametricGreedy(margin: Int, a: Double, b: Double, idle: Bool) -> String {
        """
        import CandidateAPI

        struct Candidate: SpotPolicy {
            init() {}
            mutating func decide(_ v: SpotView) -> Cluster {
                let remaining = v.remainingWork
                if remaining <= 1e-9 { return .none }
                let left = ((v.deadline - v.elapsed) / v.gap).rounded(.down) - \(margin)
                let need1 = ((remaining + \(a) * v.restartOverhead) / v.gap).rounded(.up)
                let need2 = ((remaining + \(b) * v.restartOverhead) / v.gap).rounded(.up)
                if need1 >= left { return .onDemand }
                if need2 >= left { return v.currentCluster == .spot && v.hasSpot ? .spot : .onDemand }
                return v.hasSpot ? .spot : \(idle ? ".none" : ".onDemand")
            }
        }

        """
    }

    static func simple(_ expression: String) -> String {
        """
        import CandidateAPI

        struct Candidate: SpotPolicy {
            init() {}
            mutating func decide(_ v: SpotView) -> Cluster { \(expression) }
        }

        """
    }

    static func coinFlips(seed: Int) -> String {
        """
        import CandidateAPI

        struct Candidate: SpotPolicy {
            var state: UInt64 = \(seed + 1) &* 0x9E3779B97F4A7C15
            init() {}
            mutating func decide(_ v: SpotView) -> Cluster {
                state = state &* 6364136223846793005 &+ 1442695040888963407
                switch state >> 62 {
                case 0: return .none
                case 1: return .onDemand
                default: return v.hasSpot ? .spot : .onDemand
                }
            }
        }

        """
    }

    static let uniformProgress = """
        import CandidateAPI

        struct Candidate: SpotPolicy {
            init() {}
            mutating func decide(_ v: SpotView) -> Cluster {
                let task = v.taskDuration, d = v.restartOverhead, gap = v.gap
                let remaining = v.remainingWork
                if remaining <= 1e-3 { return .none }
                var decision: Cluster = v.hasSpot ? .spot : .none
                let done = task - remaining
                if done - v.elapsed * task / v.deadline < 0 { decision = v.hasSpot ? .spot : .onDemand }
                if v.currentCluster == .onDemand && (!v.hasSpot || (v.elapsed + 2 * d) * task / v.deadline - done >= 0) {
                    decision = .onDemand
                }
                let remainingTime = ((v.deadline - v.elapsed) / gap).rounded(.down) * gap
                if ((remaining + 2 * d) / gap).rounded(.up) * gap >= remainingTime
                    && (v.currentCluster == .none || v.currentCluster == .onDemand) { decision = .onDemand }
                if ((remaining + d) / gap).rounded(.up) * gap >= remainingTime {
                    decision = v.currentCluster == .spot && v.remainingRestartOverhead < 1e-3 ? .spot : .onDemand
                    if d == 0 && v.hasSpot { decision = .spot }
                }
                return decision
            }
        }

        """
}
