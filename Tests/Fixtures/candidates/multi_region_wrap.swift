import CandidateAPI

// A region index + 2^32: the host sends it as Int32.min, never truncated into a region that
// exists (it was sent as the region itself, and accepted).
struct Candidate: MultiRegionPolicy {
    init() {}
    // EVOLVE-BLOCK-START
    mutating func decide(_ v: MultiRegionView) -> MultiRegionDecision {
        MultiRegionDecision(.none, region: ((v.regionPointer + 1) % v.regionCount) + (1 << 32))
    }
    // EVOLVE-BLOCK-END
}
