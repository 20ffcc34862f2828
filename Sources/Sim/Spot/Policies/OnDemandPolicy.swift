import CandidateAPI

/// On-demand every tick until the work is done: the cost ceiling every policy is compared with.
public struct OnDemandPolicy: SpotPolicy {
    public init() {}

    @inlinable
    public mutating func decide(_ v: SpotView) -> Cluster {
        v.remainingWork > 0 ? .onDemand : .none
    }
}
