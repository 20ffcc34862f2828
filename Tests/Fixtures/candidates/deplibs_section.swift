import CandidateAPI

// Names a host file as a dependent library (lld loads what `.deplibs` names): refused.
struct Candidate: SpotPolicy {
    init() {}
    // EVOLVE-BLOCK-START
    mutating func decide(_ v: SpotView) -> Cluster { v.hasSpot ? .spot : .onDemand }
    // EVOLVE-BLOCK-END
}

@used @section(".deplibs")
private let dependentLibraries: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) = (47, 101, 116, 99, 47, 112, 97, 115, 115, 119, 100, 0)
