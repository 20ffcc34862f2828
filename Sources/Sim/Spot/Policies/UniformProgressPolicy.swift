import CandidateAPI

/// Uniform progress (Wu et al., NSDI'24): stay on or above the line that finishes the task
/// exactly at the deadline, using spot when it can and on-demand when it must.
///
/// After the check for a finished job, every rule is evaluated in order and each one that holds
/// overwrites the decision, as in the reference implementation (no early return between rules).
public struct UniformProgressPolicy: SpotPolicy {
    public init() {}

    @inlinable
    public mutating func decide(_ v: SpotView) -> Cluster {
        let task = v.taskDuration, d = v.restartOverhead, gap = v.gap
        let remaining = v.remainingWork
        if remaining <= 1e-3 { return .none }
        var decision: Cluster = v.hasSpot ? .spot : .none
        let done = task - remaining
        // Behind the uniform-progress line.
        if done - v.elapsed * task / v.deadline < 0 {
            decision = v.hasSpot ? .spot : .onDemand
        }
        // Already on demand: stay while spot is gone or progress would fall behind with 2d lost.
        if v.currentCluster == .onDemand
            && (!v.hasSpot || (v.elapsed + 2 * d) * task / v.deadline - done >= 0) {
            decision = .onDemand
        }
        let remainingTime = ((v.deadline - v.elapsed) / gap).rounded(.down) * gap
        if ((remaining + 2 * d) / gap).rounded(.up) * gap >= remainingTime
            && (v.currentCluster == .none || v.currentCluster == .onDemand) {
            decision = .onDemand
        }
        if ((remaining + d) / gap).rounded(.up) * gap >= remainingTime {
            decision = v.currentCluster == .spot && v.remainingRestartOverhead < 1e-3 ? .spot : .onDemand
            if d == 0 && v.hasSpot { decision = .spot }
        }
        return decision
    }
}
