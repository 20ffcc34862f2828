import CandidateAPI

/// The public multi-region evaluator's starting program: spot where the pointer is while the
/// slack lasts, on demand when it runs out, and when spot is missing, idle and move the pointer
/// to the next region of the ring.
public struct RoundRobinPolicy: MultiRegionPolicy {
    public init() {}

    public mutating func decide(_ v: MultiRegionView) -> MultiRegionDecision {
        let gap = v.gap, d = v.restartOverhead
        let remaining = v.remainingWork
        if remaining <= 1e-3 { return MultiRegionDecision(.none) }
        let left = ((v.deadline - v.elapsed) / gap).rounded(.down) * gap
        let need1 = ((remaining + d) / gap).rounded(.up) * gap
        let need2 = ((remaining + 2 * d) / gap).rounded(.up) * gap
        if need1 >= left {
            return MultiRegionDecision(v.lastCluster == .spot && v.remainingRestartOverhead < 1e-3 ? .spot : .onDemand)
        }
        if need2 >= left { return MultiRegionDecision(v.lastCluster == .spot && v.hasSpot ? .spot : .onDemand) }
        if v.hasSpot { return MultiRegionDecision(.spot) }
        return MultiRegionDecision(.none, region: (v.regionPointer + 1) % v.regionCount)
    }
}

/// The single-region uniform-progress decision on the current region; when it is NONE (spot
/// missing and not behind), the pointer also moves to the next region of the ring.
public struct UniformProgressMultiPolicy: MultiRegionPolicy {
    var single = UniformProgressPolicy()

    public init() {}

    public mutating func decide(_ v: MultiRegionView) -> MultiRegionDecision {
        let cluster = single.decide(v.singleRegion)
        return cluster == .none && v.remainingWork > 1e-3
            ? MultiRegionDecision(.none, region: (v.regionPointer + 1) % v.regionCount) : MultiRegionDecision(cluster)
    }
}
