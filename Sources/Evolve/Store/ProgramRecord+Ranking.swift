import Cascade

extension Sequence where Element == ProgramRecord {
    /// The valid, scored programs, best first by `metric` (ties: file order).
    /// - Complexity: O(n log n).
    public func ranked(by metric: LevelMetric) -> [ProgramRecord] {
        filter { $0.valid && $0.score != nil }.sorted { metric.lowerIsBetter ? $0.score! < $1.score! : $0.score! > $1.score! }
    }

    /// How many programs each stage stopped (`compile` when no stage ran).
    public var stoppedByStage: [String: Int] {
        Dictionary(grouping: filter { !$0.valid }, by: { $0.rejectedAt ?? "compile" }).mapValues(\.count)
    }
}
