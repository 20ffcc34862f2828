import Foundation

/// One process's `/proc/PID/stat`, read once: the fields after its command (whose parentheses
/// may hold spaces and parentheses of their own, so it is cut at the last `)`).
public struct ProcStat: Sendable {
    /// Fields 3… of `stat(5)`: `fields[0]` is the state, `fields[1]` the parent's pid.
    public let fields: [Substring]

    /// - Returns: `nil` when there is no such process (or its `stat` does not parse).
    public init?(pid: Int32) {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = text.lastIndex(of: ")") else { return nil }
        fields = text[text.index(after: close)...].split(separator: " ")
        guard !fields.isEmpty else { return nil }
    }

    /// The state letter (`R`, `S`, `Z` for a zombie, `X` dead, …).
    public var state: Character? { fields.first?.first }

    /// Whether the process has ended (a zombie not yet reaped, or dead).
    public var hasEnded: Bool { state == "Z" || state == "X" }

    /// The parent's pid (field 4).
    public var parent: Int32? { fields.count > 1 ? Int32(fields[1]) : nil }

    /// The start time in clock ticks since boot (field 22): with the pid, it names one process
    /// for good.
    public var startTime: UInt64? { fields.count > 19 ? UInt64(fields[19]) : nil }
}
