import ArgumentParser
import CandidateAPI
import Foundation
import Cascade
import Sim
import SimCore

struct SimulatePrefix: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prefix",
        abstract: "Prefix hit rate of a table's rows under a built-in field-reordering policy.",
        discussion: """
            The table is CSV with a header row (RFC 4180 quoting). Policies: original (file order) \
            and ggr (greedy group recursion). Without --table, the research-scale tables (five \
            shaped like the LLM-SQL benchmark's, 100,979 rows, generated at first use from \
            traces/prefix/research/manifest.json) are measured.
            """
    )

    @Option(help: "A CSV table.")
    var table: String?

    @Option(help: "Built-in policy: original, ggr.")
    var policy: String = "original"

    @OptionGroup var output: OutputOptions

    func run() throws {
        let policy = try BuiltinPrefixPolicy(named: policy)
        let merges = try PrefixProblem.mergeCatalog(file: table, scale: .research, .standard)
        let reports = try PrefixProblem.tableFiles(table, catalog: .standard).map { try PrefixPolicyReport(policy, table: $0, merges: merges) }
        if output.json {
            if reports.count == 1 { return try JSONOutput.print(reports[0]) }
            return try JSONOutput.print(["tables": reports])
        }
        print(PrefixPolicyReport.text(reports))
    }
}
