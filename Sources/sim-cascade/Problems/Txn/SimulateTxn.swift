import ArgumentParser
import CandidateAPI
import Foundation
import Cascade
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
            """
    )

    @Option(help: "A workload file ({\"NAME\": {\"txn0\": \"w-17 r-5 * …\", …}, …}).")
    var workloads: String?

    @Option(help: "Built-in policy: \(BuiltinTxnPolicy.allCases.map(\.rawValue).joined(separator: ", ")) (default: identity).")
    var policy: String?

    @Option(help: "Orders to evaluate, instead of a policy.")
    var scheduleFile: String?

    @Option(help: "Seed of randomised policies (smf).")
    var seed: UInt64 = 0

    @OptionGroup var output: OutputOptions

    func run() throws {
        let url = try TxnProblem.workloadFile(workloads, catalog: .standard)
        let named = try TxnWorkloadFile.load(from: url)
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
        let report = TxnOrdersReport(policy: label, file: url, orders: orders, runtimeSeconds: runtime,
                                     fromScheduleFile: scheduleFile != nil)
        if output.json { return try JSONOutput.print(report) }
        print(report.text)
    }
}
