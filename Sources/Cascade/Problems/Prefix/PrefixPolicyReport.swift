import CandidateAPI
import Foundation
import Sim
import SimCore

/// `simulate prefix`: a built-in reordering of one table and its exact prefix hit rate, with
/// the parse and the metric timed apart from the policy.
public struct PrefixPolicyReport: Encodable, Sendable {
    public var policy: String
    public var table: String
    public var rows: Int
    public var fields: Int
    public var hitChars: Int
    public var totalChars: Int
    public var phr: Double
    /// Seconds in the policy alone.
    public var runtimeSeconds: Double
    /// Seconds to parse the CSV, reported apart.
    public var parseSeconds: Double
    public var metricSeconds: Double

    enum CodingKeys: String, CodingKey {
        case policy, table, rows, fields, phr, hitChars = "hit_chars", totalChars = "total_chars"
        case runtimeSeconds = "runtime_seconds", parseSeconds = "parse_seconds", metricSeconds = "metric_seconds"
    }

    /// Parses `url`, reorders it with `policy` and measures the hit rate.
    /// - Throws: `SimError` for a table that does not parse.
    public init(_ policy: BuiltinPrefixPolicy, table url: URL, merges: PrefixColumnMergeCatalog? = nil) throws {
        let parseStart = monotonicSeconds()
        let parsed = try PrefixTableFile.load(from: url, merges: merges)
        parseSeconds = monotonicSeconds() - parseStart
        let start = monotonicSeconds()
        let ordering = policy.reorder(parsed)
        runtimeSeconds = monotonicSeconds() - start
        let metricStart = monotonicSeconds()
        let rate = try PrefixHitRate(table: parsed, ordering: ordering)
        metricSeconds = monotonicSeconds() - metricStart
        self.policy = policy.rawValue
        table = url.path
        rows = parsed.rows.count
        fields = parsed.columns.count
        hitChars = rate.hitChars
        totalChars = rate.totalChars
        phr = rate.phr
    }

    /// The reports of one policy over several tables as a text table.
    public static func text(_ reports: [PrefixPolicyReport]) -> String {
        var text = TextTable(headers: ["table", "rows", "hit chars", "total chars", "PHR %", "policy ms", "parse ms"])
        for r in reports {
            text.append([URL(fileURLWithPath: r.table).lastPathComponent, "\(r.rows)", "\(r.hitChars)", "\(r.totalChars)",
                         fixed(r.phr * 100, 2), fixed(r.runtimeSeconds * 1e3, 2), fixed(r.parseSeconds * 1e3, 1)])
        }
        return (reports.first?.policy ?? "") + "\n" + text.render()
    }
}
