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
            and ggr (greedy group recursion). Without --table, the embedded default tables \
            (traces/prefix/*.csv) are measured.
            """
    )

    @Option(help: "A CSV table.")
    var table: String?

    @Option(help: "Built-in policy: original, ggr.")
    var policy: String = "original"

    @OptionGroup var output: OutputOptions

    struct Report: Encodable {
        var policy: String
        var table: String
        var rows: Int
        var fields: Int
        var hit_chars: Int
        var total_chars: Int
        var phr: Double
        /// Seconds in the policy alone.
        var runtime_seconds: Double
        /// Seconds to parse the CSV, reported apart.
        var parse_seconds: Double
        var metric_seconds: Double
    }

    func run() throws {
        let policy = try BuiltinPrefixPolicy(named: policy)
        let urls = try PrefixProblem.tableFiles(table, catalog: .standard)
        var reports: [Report] = []
        for url in urls {
            let parseStart = monotonicSeconds()
            let parsed = try PrefixTableFile.load(from: url)
            let parse = monotonicSeconds() - parseStart
            let start = monotonicSeconds()
            let ordering = policy.reorder(parsed)
            let runtime = monotonicSeconds() - start
            let metricStart = monotonicSeconds()
            let rate = try PrefixHitRate(table: parsed, ordering: ordering)
            let metric = monotonicSeconds() - metricStart
            reports.append(Report(policy: policy.rawValue, table: url.path, rows: parsed.rows.count,
                                  fields: parsed.columns.count, hit_chars: rate.hitChars, total_chars: rate.totalChars,
                                  phr: rate.phr, runtime_seconds: runtime, parse_seconds: parse, metric_seconds: metric))
        }
        if output.json {
            if reports.count == 1 { return try JSONOutput.print(reports[0]) }
            return try JSONOutput.print(["tables": reports])
        }
        var text = TextTable(headers: ["table", "rows", "hit chars", "total chars", "PHR %", "policy ms", "parse ms"])
        for r in reports {
            text.append([URL(fileURLWithPath: r.table).lastPathComponent, "\(r.rows)", "\(r.hit_chars)", "\(r.total_chars)",
                         fixed(r.phr * 100, 2), fixed(r.runtime_seconds * 1e3, 2), fixed(r.parse_seconds * 1e3, 1)])
        }
        print("\(policy.rawValue)\n" + text.render())
    }
}
