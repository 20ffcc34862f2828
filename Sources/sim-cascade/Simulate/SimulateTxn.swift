import ArgumentParser
import CandidateAPI
import Foundation
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

    struct Entry: Encodable {
        var makespan: Int
        var schedule: [Int]
        var transactions: Int
    }

    struct Report: Encodable {
        var policy: String
        var file: String
        var workloads: [String: Entry]
        var total_makespan: Int
        var runtime_seconds: Double
    }

    func run() throws {
        let url = try workloads.map { try Locations.dataFile($0) } ?? Locations.defaultFile("traces/txn/workloads-default.json")
        let named = try TxnWorkloadFile.load(from: url)
        var orders: [(NamedTxnWorkload, [Int])] = []
        var runtime = 0.0
        let label: String
        if let scheduleFile {
            if policy != nil { throw CLIError.conflictingOptions("--policy", "--schedule-file") }
            let scheduleURL = try Locations.dataFile(scheduleFile)
            let schedules = try TxnScheduleFile.load(from: scheduleURL, workloads: named)
            orders = named.compactMap { w in schedules[w.name].map { (w, $0) } }
            label = "schedule-file"
        } else {
            let policy = try BuiltinTxnPolicy(named: policy ?? "identity")
            for w in named {
                let start = monotonicSeconds()
                let order = policy.schedule(w.workload, seed: seed)
                runtime += monotonicSeconds() - start
                orders.append((w, order))
            }
            label = policy.rawValue
        }
        var entries: [String: Entry] = [:]
        var total = 0
        var table = TextTable(headers: ["workload", "transactions", "scheduled", "makespan"])
        for (w, order) in orders {
            var state = TxnSchedule(w.workload)
            let makespan = state.evaluate(order)
            total += makespan
            entries[w.name] = Entry(makespan: makespan, schedule: order, transactions: w.workload.transactions.count)
            table.append([w.name, "\(w.workload.transactions.count)", "\(order.count)", "\(makespan)"])
        }
        if output.json {
            return try JSONOutput.print(Report(policy: label, file: url.path, workloads: entries, total_makespan: total,
                                               runtime_seconds: runtime))
        }
        table.append(["total", "", "", "\(total)"])
        print("\(label) on \(url.lastPathComponent)" + (scheduleFile == nil ? " (scheduling took \(fixed(runtime * 1e3, 3)) ms)" : ""))
        print(table.render())
    }
}
