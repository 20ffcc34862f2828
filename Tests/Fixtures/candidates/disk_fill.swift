import CandidateAPI
import Glibc

// Writes as much as it can to its /tmp, across many files, and reports how much landed.
struct Candidate: SpotPolicy {
    init() {
        let block = [UInt8](repeating: 7, count: 1 << 20)
        var total = 0
        outer: for i in 0..<4096 {
            let fd = open("/tmp/fill\(i)", O_WRONLY | O_CREAT, 0o644)
            if fd < 0 { break }
            for _ in 0..<8 {
                let n = block.withUnsafeBytes { write(fd, $0.baseAddress!, $0.count) }
                if n <= 0 { close(fd); break outer }
                total += n
            }
            close(fd)
        }
        print("wrote \(total >> 20) MiB")
    }
    mutating func decide(_ v: SpotView) -> Cluster { .onDemand }
}
