import Foundation
import SimCore

/// Reads `{"WORKLOAD": [indices], …}`: orders to evaluate for the workloads named.
public enum TxnScheduleFile {
    /// - Throws: `SimError.malformedFile` for an unknown workload, an index out of range or a
    ///   repeated index.
    public static func load(from url: URL, workloads: [NamedTxnWorkload]) throws -> [String: [Int]] {
        // Doubles, so that 1.5 is reported where it is rather than as "not valid JSON".
        let raw = try JSONFile.decode([String: [Double]].self, from: url)
        guard !raw.isEmpty else { throw SimError.malformedFile(url.path, reason: #"names no workload; expected {"WORKLOAD": [indices], …}"#) }
        if let (name, _) = raw.first(where: { $0.value.isEmpty }) {
            throw SimError.malformedFile(url.path, reason: "the order of '\(Escaped.value(name))' is empty")
        }
        var schedules: [String: [Int]] = [:]
        for (name, order) in raw {
            schedules[name] = try order.enumerated().map { position, value in
                guard value == value.rounded(), abs(value) < 1e9 else {
                    throw SimError.malformedFile(url.path, reason: "\(Escaped.value(name)) position \(position): \(value) is not a transaction index")
                }
                return Int(value)
            }
        }
        let sizes = Dictionary(uniqueKeysWithValues: workloads.map { ($0.name, $0.workload.transactions.count) })
        for (name, order) in schedules {
            guard let n = sizes[name] else {
                throw SimError.malformedFile(url.path, reason: "unknown workload '\(Escaped.value(name))' (known: \(sizes.keys.sorted().map { Escaped.value($0) }.joined(separator: ", ")))")
            }
            try TxnScheduleFile.validate(order, transactions: n, partial: true, name: "\(url.path): \(Escaped.value(name))")
        }
        return schedules
    }

    /// Checks that `order` holds distinct indices in `0..<transactions` — all of them unless
    /// `partial`.
    /// - Throws: `SimError.invalidParameter` naming the first problem.
    public static func validate(_ order: [Int], transactions n: Int, partial: Bool, name: String) throws {
        var seen = [Bool](repeating: false, count: n)
        for (position, txn) in order.enumerated() {
            guard txn >= 0 && txn < n else {
                throw SimError.invalidParameter(name: "schedule", value: name,
                                                reason: "position \(position): index \(txn) is not in 0..<\(n)")
            }
            guard !seen[txn] else {
                throw SimError.invalidParameter(name: "schedule", value: name,
                                                reason: "position \(position): index \(txn) appears twice")
            }
            seen[txn] = true
        }
        if !partial && order.count != n {
            throw SimError.invalidParameter(name: "schedule", value: name,
                                            reason: "orders \(order.count) of \(n) transactions; a permutation of all is required")
        }
    }
}
