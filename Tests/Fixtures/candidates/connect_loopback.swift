import CandidateAPI
import Glibc

// Tries to reach a listener the test opened on the host's loopback interface.
struct Candidate: SpotPolicy {
    init() {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(__PORT__).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        print("connect returned \(result)")
        if result == 0 { _ = write(fd, "escaped", 7) }
        close(fd)
    }
    mutating func decide(_ v: SpotView) -> Cluster { .onDemand }
}
