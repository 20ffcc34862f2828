import CandidateAPI

// Asks the linker, through Swift's autolink section, to embed a host file in the executable
// (the string is "-Wl,--noinhibit-exec,--format=binary,/etc/passwd,--format=default"): the
// object is refused before any link.
struct Candidate: SpotPolicy {
    init() {}
    // EVOLVE-BLOCK-START
    mutating func decide(_ v: SpotView) -> Cluster { v.hasSpot ? .spot : .onDemand }
    // EVOLVE-BLOCK-END
}

@used @section(".swift1_autolink_entries")
private let linkerArguments: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) = (45, 87, 108, 44, 45, 45, 110, 111, 105, 110, 104, 105, 98, 105, 116, 45, 101, 120, 101, 99, 44, 45, 45, 102, 111, 114, 109, 97, 116, 61, 98, 105, 110, 97, 114, 121, 44, 47, 101, 116, 99, 47, 112, 97, 115, 115, 119, 100, 44, 45, 45, 102, 111, 114, 109, 97, 116, 61, 100, 101, 102, 97, 117, 108, 116, 0)
