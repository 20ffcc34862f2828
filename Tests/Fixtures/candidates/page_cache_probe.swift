import CandidateAPI
import Glibc

// The page-cache channel: every sandbox of one source runs the same cached executable, whose
// pages stay cached (or evicted) after the sandbox ends. Evicting some with fadvise or
// madvise(MADV_PAGEOUT) and probing them with preadv2(RWF_NOWAIT) passes bits between stages
// and evaluations. Each step needs a descriptor of the executable or the right to page it out.
@_silgen_name("posix_fadvise") func fadvise(_ fd: Int32, _ offset: Int, _ length: Int, _ advice: Int32) -> Int32

nonisolated(unsafe) var tried = false

func report(_ line: String) {
    let text = line + "\n"
    _ = text.withCString { write(2, $0, strlen($0)) }
}

struct Candidate: SpotPolicy {
    init() {
        if tried { return }
        tried = true
        for path in ["/candidate", "/proc/self/exe"] {
            let fd = open(path, O_RDONLY)
            report("open \(path): \(fd) errno \(errno)")
            if fd >= 0 { report("fadvise \(path): \(fadvise(fd, 0, 0, 4))") }
        }
        // A page of this executable's own code, mapped from the file.
        let code: @convention(c) (Int32) -> Int32 = { $0 + 1 }
        let page = unsafeBitCast(code, to: UInt.self) & ~4095
        let pageout = madvise(UnsafeMutableRawPointer(bitPattern: page), 4096, 21)  // MADV_PAGEOUT
        report("madvise pageout: \(pageout) errno \(errno)")
        // mincore reads which of those pages are cached: a probe without any descriptor.
        var resident = [UInt8](repeating: 0, count: 1)
        let probed = mincore(UnsafeMutableRawPointer(bitPattern: page), 4096, &resident)
        report("mincore: \(probed) errno \(errno)")
    }
    mutating func decide(_ v: SpotView) -> Cluster { v.hasSpot ? .spot : .onDemand }
}
