import CandidateAPI

// Replaces libc's weak `write`: the harness's first write (its hello) prints a line like the
// sandbox launcher's own and exits 125, as if the sandbox had not started.
@_silgen_name("syscall") func sys(_ n: Int, _ a: Int, _ b: Int, _ c: Int) -> Int

@_cdecl("write")
func interceptedWrite(_ fd: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int {
    let line = "sim-cascade-sandbox: exec /candidate: Permission denied\n"
    _ = line.withCString { sys(1, 2, Int(bitPattern: $0), line.utf8.count) }
    _ = sys(231, 125, 0, 0)  // exit_group(125)
    return -1
}

struct Candidate: SpotPolicy {
    init() {}
    // EVOLVE-BLOCK-START
    mutating func decide(_ v: SpotView) -> Cluster { .onDemand }
    // EVOLVE-BLOCK-END
}
