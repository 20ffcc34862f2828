// sim-cascade candidate: spot (single region, "Can't Be Late").
// Define a type named `Candidate` conforming to `SpotPolicy`. One instance is created per
// scenario; `decide` is called once per tick and returns the cluster to run. The
// simulator, not the policy, enforces the deadline guarantee (which a preemption in the
// last hours can still defeat: any late finish makes the candidate invalid) and never
// runs spot while it is unavailable. Times are in seconds. Imports: the standard
// library, CandidateAPI.
import CandidateAPI

struct Candidate: SpotPolicy {
    init() {}

    mutating func decide(_ v: SpotView) -> Cluster {
        // EVOLVE-BLOCK-START
        let remaining = v.remainingWork
        if remaining <= 1e-9 { return .none }
        let left = ((v.deadline - v.elapsed) / v.gap).rounded(.down)
        let need1 = ((remaining + v.restartOverhead) / v.gap).rounded(.up)
        let need2 = ((remaining + 2 * v.restartOverhead) / v.gap).rounded(.up)
        if need1 >= left { return .onDemand }
        if need2 >= left { return v.currentCluster == .spot && v.hasSpot ? .spot : .onDemand }
        return v.hasSpot ? .spot : .none
        // EVOLVE-BLOCK-END
    }
}
