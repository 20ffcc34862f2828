import Foundation
import Sim
import SimCore

/// `simulate txn`: each workload's order (from a built-in policy or a schedule file) scored by
/// the public unit-time makespan.
public struct TxnOrdersReport: Encodable, Sendable {
    public struct Entry: Encodable, Sendable {
        public var makespan: Int
        public var schedule: [Int]
        public var transactions: Int
    }

    public var policy: String
    public var file: String
    public var workloads: [String: Entry]
    public var totalMakespan: Int
    /// Seconds the policy took to schedule (zero for a schedule file).
    public var runtimeSeconds: Double
    /// Workload names in file order, for the table.
    let order: [String]
    let fromScheduleFile: Bool

    enum CodingKeys: String, CodingKey {
        case policy, file, workloads, totalMakespan = "total_makespan", runtimeSeconds = "runtime_seconds"
    }

    /// - Complexity: one makespan evaluation per workload, O(operations).
    public init(policy: String, file: URL, orders: [(workload: NamedTxnWorkload, order: [Int])], runtimeSeconds: Double,
                fromScheduleFile: Bool) {
        self.policy = policy
        self.file = file.path
        self.runtimeSeconds = runtimeSeconds
        self.fromScheduleFile = fromScheduleFile
        var entries: [String: Entry] = [:]
        for (w, order) in orders {
            var state = TxnSchedule(w.workload)
            entries[w.name] = Entry(makespan: state.evaluate(order), schedule: order, transactions: w.workload.transactions.count)
        }
        workloads = entries
        order = orders.map(\.workload.name)
        totalMakespan = entries.values.reduce(0) { $0 + $1.makespan }
    }

    public var text: String {
        var table = TextTable(headers: ["workload", "transactions", "scheduled", "makespan"])
        for name in order {
            let e = workloads[name]!
            table.append([name, "\(e.transactions)", "\(e.schedule.count)", "\(e.makespan)"])
        }
        table.append(["total", "", "", "\(totalMakespan)"])
        return "\(policy) on \(URL(fileURLWithPath: file).lastPathComponent)"
            + (fromScheduleFile ? "" : " (scheduling took \(fixed(runtimeSeconds * 1e3, 3)) ms)") + "\n" + table.render()
    }
}
