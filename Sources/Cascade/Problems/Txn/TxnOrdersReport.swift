import Foundation
import PostgresEngine
import Sim
import SimCore

/// `simulate txn`: each workload's order (from a built-in policy or a schedule file) scored by
/// the public unit-time makespan and, when complete, by the fine level's 2PL execution; with
/// `--engine postgres` also executed on PostgreSQL.
public struct TxnOrdersReport: Encodable, Sendable {
    public struct Entry: Encodable, Sendable {
        public var makespan: Int
        public var schedule: [Int]
        public var transactions: Int
        /// The fine level's 2PL execution of a complete order (time units), `nil` for a partial one.
        public var executionMakespan: Double? = nil
        /// On PostgreSQL (`--engine postgres`): seconds, medians of the runs.
        public var systemMakespan: Double? = nil
        public var systemMakespanRuns: [Double]? = nil
        public var systemAborts: Double? = nil
        public var systemLatencyP50: Double? = nil
        public var systemLatencyP99: Double? = nil

        enum CodingKeys: String, CodingKey {
            case makespan, schedule, transactions, executionMakespan = "execution_makespan"
            case systemMakespan = "system_makespan", systemMakespanRuns = "system_makespan_runs"
            case systemAborts = "system_aborts", systemLatencyP50 = "system_latency_p50", systemLatencyP99 = "system_latency_p99"
        }
    }

    public var policy: String
    public var file: String
    public var workloads: [String: Entry]
    public var totalMakespan: Int
    /// Seconds the policy took to schedule (zero for a schedule file).
    public var runtimeSeconds: Double
    /// `model`, or `postgres` with the settings it ran with.
    public var engine = "model"
    public var engineSettings: [String: Int]? = nil
    public var totalSystemMakespan: Double? = nil
    /// The fine level's executed makespan summed, when every order is complete.
    public var totalExecutionMakespan: Double?
    /// Workload names in file order, for the table.
    let order: [String]
    let fromScheduleFile: Bool

    enum CodingKeys: String, CodingKey {
        case policy, file, workloads, totalMakespan = "total_makespan", runtimeSeconds = "runtime_seconds", engine
        case engineSettings = "engine_settings", totalSystemMakespan = "total_system_makespan"
        case totalExecutionMakespan = "total_execution_makespan"
    }

    /// Adds each workload's runs on PostgreSQL.
    public mutating func add(_ measurements: [String: TxnSystemMeasurement], settings: TxnSystemSettings) {
        engine = "postgres"
        engineSettings = ["connections": settings.connections, "work_us": settings.workMicroseconds, "runs": settings.runs]
        for (name, m) in measurements {
            workloads[name]?.systemMakespan = m.makespanSeconds
            workloads[name]?.systemMakespanRuns = m.runs.map(\.makespanSeconds)
            workloads[name]?.systemAborts = m.aborts
            workloads[name]?.systemLatencyP50 = m.latencyP50
            workloads[name]?.systemLatencyP99 = m.latencyP99
        }
        totalSystemMakespan = measurements.values.reduce(0) { $0 + $1.makespanSeconds }
    }

    /// - Complexity: one makespan evaluation and one 2PL execution per workload.
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
            if order.count == w.workload.transactions.count {
                entries[w.name]?.executionMakespan = TxnExecution.run(w.workload, order: order).makespan
            }
        }
        workloads = entries
        order = orders.map(\.workload.name)
        totalMakespan = entries.values.reduce(0) { $0 + $1.makespan }
        let executed = entries.values.compactMap(\.executionMakespan)
        totalExecutionMakespan = executed.count == entries.count && !entries.isEmpty ? executed.reduce(0, +) : nil
    }

    public var text: String {
        let system = totalSystemMakespan != nil
        var table = TextTable(headers: ["workload", "transactions", "scheduled", "makespan", "executed (2PL)"]
            + (system ? ["PostgreSQL ms", "runs ms", "aborts", "p99 ms"] : []))
        func ms(_ x: Double?) -> String { x.map { fixed($0 * 1e3, 1) } ?? "-" }
        for name in order {
            let e = workloads[name]!
            table.append([name, "\(e.transactions)", "\(e.schedule.count)", "\(e.makespan)", e.executionMakespan.map { fixed($0, 1) } ?? "-"]
                + (system ? [ms(e.systemMakespan), (e.systemMakespanRuns ?? []).map { ms($0) }.joined(separator: " "),
                             e.systemAborts.map { fixed($0, 0) } ?? "-", ms(e.systemLatencyP99)] : []))
        }
        table.append(["total", "", "", "\(totalMakespan)", totalExecutionMakespan.map { fixed($0, 1) } ?? "-"] + (system ? [ms(totalSystemMakespan), "", "", ""] : []))
        return "\(policy) on \(URL(fileURLWithPath: file).lastPathComponent)"
            + (fromScheduleFile ? "" : " (scheduling took \(fixed(runtimeSeconds * 1e3, 3)) ms)") + "\n" + table.render()
    }
}
