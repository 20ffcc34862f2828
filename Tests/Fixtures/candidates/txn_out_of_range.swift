import CandidateAPI

// Uses an index one past the end in place of the last transaction.
struct Candidate: TxnScheduler {
    init() {}
    mutating func schedule(_ workload: TxnWorkload) -> [Int] {
        let n = workload.transactions.count
        return (0..<n).map { $0 == n - 1 ? n : $0 }
    }
}
