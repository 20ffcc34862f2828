import ArgumentParser
import CandidateAPI
import Foundation
import Cascade
import PostgresEngine
import Sim
import SimCore

struct SimulateTxn: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "txn",
        abstract: "Makespan of transaction orders under the unit-time lock model.",
        discussion: """
            Orders come from a built-in policy, or from --schedule-file {"WORKLOAD": [indices], …}, \
            which may name any sequence of distinct transaction indices (partial schedules too) for \
            the workloads it lists. Without --workloads, the embedded default set \
            (traces/txn/workloads-default.json) is used.

            --engine postgres also executes each order on a PostgreSQL server started for the run \
            (the txn system level; docs/txn-system.md), on the workloads of at most 300 transactions, \
            each order --runs times; orders must then be complete.
            """
    )

    enum Engine: String, ExpressibleByArgument, CaseIterable { case model, postgres }

    @Option(help: "model (the public unit-time makespan) or postgres (also run on PostgreSQL).")
    var engine: Engine = .model

    @Option(help: "postgres: client connections taking transactions in order.")
    var connections: Int = TxnSystemSettings().connections

    @Option(help: "postgres: microseconds each operation holds its locks.")
    var workUs: Int = TxnSystemSettings().workMicroseconds

    @Option(help: "postgres: runs of each order (the median is reported).")
    var runs: Int = TxnSystemSettings().runs

    @Option(help: "A workload file ({\"NAME\": {\"txn0\": \"w-17 r-5 * …\", …}, …}).")
    var workloads: String?

    @Option(help: "Built-in policy: \(BuiltinTxnPolicy.allCases.map(\.rawValue).joined(separator: ", ")) (default: identity).")
    var policy: String?

    @Option(help: "Orders to evaluate, instead of a policy.")
    var scheduleFile: String?

    @Option(help: "Seed of randomised policies (smf).")
    var seed: UInt64 = 0

    @OptionGroup var output: OutputOptions

    var settings: TxnSystemSettings { TxnSystemSettings(connections: connections, workMicroseconds: workUs, runs: runs) }

    func validate() throws {
        if let problem = settings.problem {
            throw CascadeError.invalidBudget(name: "--connections/--work-us/--runs", value: "\(connections)/\(workUs)/\(runs)", reason: problem)
        }
        if engine == .model && (connections != TxnSystemSettings().connections || workUs != TxnSystemSettings().workMicroseconds
                                || runs != TxnSystemSettings().runs) {
            throw CLIError.conflictingOptions("--connections/--work-us/--runs", "--engine model")
        }
    }

    func run() throws {
        let url = try TxnProblem.workloadFile(workloads, catalog: .standard)
        var named = try TxnWorkloadFile.load(from: url)
        if engine == .postgres { named = TxnSystemLevel.subset(named) }
        var orders: [(workload: NamedTxnWorkload, order: [Int])] = []
        var runtime = 0.0
        let label: String
        if let scheduleFile {
            if policy != nil { throw CLIError.conflictingOptions("--policy", "--schedule-file") }
            let scheduleURL = try InputCatalog.standard.dataFile(scheduleFile)
            let schedules = try TxnScheduleFile.load(from: scheduleURL, workloads: named)
            orders = named.compactMap { w in schedules[w.name].map { (w, $0) } }
            label = "schedule-file"
        } else {
            let policy = try BuiltinTxnPolicy(named: policy ?? "identity")
            for w in named { try policy.check(w.workload, name: w.name) }
            for w in named {
                let start = monotonicSeconds()
                let order = policy.schedule(w.workload, seed: seed)
                runtime += monotonicSeconds() - start
                orders.append((w, order))
            }
            label = policy.rawValue
        }
        var report = TxnOrdersReport(policy: label, file: url, orders: orders, runtimeSeconds: runtime,
                                     fromScheduleFile: scheduleFile != nil)
        if engine == .postgres {
            if let partial = orders.first(where: { $0.order.count != $0.workload.workload.transactions.count }) {
                throw CLIError.invalidValue("--schedule-file", partial.workload.name,
                                            "PostgreSQL executes complete orders only (this one has \(partial.order.count) of "
                                                + "\(partial.workload.workload.transactions.count) transactions)")
            }
            let engine = try TxnSystemEngine.shared()
            var measured: [String: TxnSystemMeasurement] = [:]
            for (i, (w, order)) in orders.enumerated() {
                if !output.json { Log.note("postgres: \(i + 1)/\(orders.count) \(w.name)") }
                measured[w.name] = try engine.measure(w.workload, order: order, settings: settings)
            }
            report.add(measured, settings: settings)
        }
        if output.json { return try JSONOutput.print(report) }
        print(report.text)
    }
}
