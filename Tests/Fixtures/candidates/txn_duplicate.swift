import CandidateAPI

// Schedules transaction 0 twice and drops the last one.
struct Candidate: TxnScheduler {
    init() {}
    mutating func schedule(_ workload: TxnWorkload) -> [Int] {
        let n = workload.transactions.count
        return (0..<n).map { $0 == n - 1 ? 0 : $0 }
    }
}
