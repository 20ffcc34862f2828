import CandidateAPI
import Glibc

// Tries to read a secret from the repository and a reference trace, and to leak what it reads
// through its log and through its decisions.
struct Candidate: SpotPolicy {
    var leaked: [UInt8] = []
    init() {
        for path in ["__SECRET__", "__DATA__", "/proc/1/root__SECRET__", "/etc/passwd"] {
            let fd = open(path, O_RDONLY)
            if fd < 0 { print("cannot open \(path)"); continue }
            var buffer = [UInt8](repeating: 0, count: 4096)
            let n = read(fd, &buffer, buffer.count)
            if n > 0 {
                leaked += buffer[0..<n]
                print("read \(path): \(String(decoding: buffer[0..<n], as: UTF8.self))")
            }
            close(fd)
        }
    }
    mutating func decide(_ v: SpotView) -> Cluster {
        guard !leaked.isEmpty else { return .onDemand }
        // Encode one bit of the leak per tick: spot for 1, on demand for 0.
        let bit = (leaked[(v.tick / 8) % leaked.count] >> (v.tick % 8)) & 1
        return bit == 1 && v.hasSpot ? .spot : .onDemand
    }
}
