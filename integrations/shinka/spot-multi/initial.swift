// sim-cascade candidate: spot-multi (multi-region "Can't Be Late").
// Define a type named `Candidate` conforming to `MultiRegionPolicy`. One instance is created
// per (scenario, trace) run; `decide` is called once per tick and returns the cluster to run
// and, optionally, the region the pointer moves to first (regions are 0..<regionCount, in the
// scenario's ring order; region 0 is the start). Under the corrected model (the default) the
// view shows spot availability in one region only (the running instance's, else the
// pointer's) and every region's spot price at this tick (`v.spotAvailableByRegion` is nil;
// under --model reference it lists every region's availability at this tick); a running
// instance stays in its region, so moving the pointer and keeping the same type is a new
// launch with the full restart overhead. The simulator enforces the deadline guarantee and never runs spot where it
// is gone; any late finish makes the candidate invalid. Times are in seconds, prices in $/h.
// Imports: the standard library, CandidateAPI.
import CandidateAPI

struct Candidate: MultiRegionPolicy {
    init() {}

    mutating func decide(_ v: MultiRegionView) -> MultiRegionDecision {
        // EVOLVE-BLOCK-START
        let remaining = v.remainingWork
        if remaining <= 1e-3 { return MultiRegionDecision(.none) }
        let left = ((v.deadline - v.elapsed) / v.gap).rounded(.down) * v.gap
        let need1 = ((remaining + v.restartOverhead) / v.gap).rounded(.up) * v.gap
        let need2 = ((remaining + 2 * v.restartOverhead) / v.gap).rounded(.up) * v.gap
        if need1 >= left {
            return MultiRegionDecision(v.lastCluster == .spot && v.remainingRestartOverhead < 1e-3 ? .spot : .onDemand)
        }
        if need2 >= left { return MultiRegionDecision(v.lastCluster == .spot && v.hasSpot ? .spot : .onDemand) }
        if v.hasSpot { return MultiRegionDecision(.spot) }
        return MultiRegionDecision(.none, region: (v.regionPointer + 1) % v.regionCount)
        // EVOLVE-BLOCK-END
    }
}
