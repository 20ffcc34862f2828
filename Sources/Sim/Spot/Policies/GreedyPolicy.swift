import CandidateAPI

/// Spot whenever it is available, until the slack runs out; then on-demand.
///
/// The reference's `greedy` baseline: `need1`/`need2` are the ticks needed with one or two more
/// restart overheads; with no slack for one restart it goes on-demand, with slack for one but not
/// two it keeps a running spot instance but starts no new one.
public struct GreedyPolicy: SpotPolicy {
    public init() {}

    @inlinable
    public mutating func decide(_ v: SpotView) -> Cluster {
        let remaining = v.remainingWork
        if remaining <= 1e-9 { return .none }
        let left = ((v.deadline - v.elapsed) / v.gap).rounded(.down)
        let need1 = ((remaining + v.restartOverhead) / v.gap).rounded(.up)
        let need2 = ((remaining + 2 * v.restartOverhead) / v.gap).rounded(.up)
        if need1 >= left { return .onDemand }
        if need2 >= left { return v.currentCluster == .spot && v.hasSpot ? .spot : .onDemand }
        return v.hasSpot ? .spot : .none
    }
}
