import Foundation
import SimCore

/// One scenario: a window of a base trace and a job to run in it.
public struct SpotScenario: Sendable {
    public var env: String
    /// The window number within its environment.
    public var traceID: Int
    /// The base trace's path as written in the scenario file (relative to the file's folder).
    public var baseTrace: String
    /// The base trace's resolved path: one per trace file, however the scenario file spells it.
    public var baseTracePath: String
    public var startTick: Int
    public var ticks: Int
    public var taskHours: Double
    public var deadlineHours: Double
    public var overheadHours: Double
    /// The job, converted to seconds.
    public var job: SpotJob
    /// The window's availability (1 = unavailable), sharing the base trace's storage.
    public var window: ArraySlice<UInt8>
}

/// A scenario file with its base traces loaded and every scenario checked.
public struct SpotScenarioSet: Sendable {
    public var name: String
    public var note: String
    public var gapSeconds: Double
    public var scenarios: [SpotScenario]
    /// The file it was read from.
    public var source: URL

    struct File: Codable {
        struct Row: Codable {
            var env: String
            var trace_id: Int
            var base_trace: String
            var start_tick: Int
            var ticks: Int
            var task_hours: Double
            var deadline_hours: Double
            var restart_overhead_hours: Double
        }
        var name: String
        var gap_seconds: Double
        var note: String?
        var scenarios: [Row]
    }

    /// Reads a scenario file and every base trace it names (each once).
    ///
    /// - Throws: `SimError` naming the scenario file, or the base trace, and what is wrong.
    /// - Complexity: O(scenarios + total base-trace ticks).
    public static func load(from url: URL) throws -> SpotScenarioSet {
        let file = try JSONFile.decode(File.self, from: url)
        guard !file.scenarios.isEmpty else {
            throw SimError.malformedFile(url.path, reason: "scenarios is empty")
        }
        let folder = url.deletingLastPathComponent()
        // By resolved path, so that one file spelled two ways is one trace (one sampling unit).
        var traces: [String: SpotTrace] = [:]
        var resolved: [String: URL] = [:]
        var scenarios: [SpotScenario] = []
        scenarios.reserveCapacity(file.scenarios.count)
        for (index, row) in file.scenarios.enumerated() {
            // Every problem with a row is reported against the scenario file and the row.
            func fail(_ reason: String) -> SimError {
                .malformedFile(url.path, reason: "scenarios[\(index)]: \(reason)")
            }
            let traceURL = resolved[row.base_trace] ?? (row.base_trace.hasPrefix("/")
                ? URL(fileURLWithPath: row.base_trace)
                : folder.appendingPathComponent(row.base_trace)).standardizedFileURL.resolvingSymlinksInPath()
            resolved[row.base_trace] = traceURL
            let trace: SpotTrace
            if let cached = traces[traceURL.path] {
                trace = cached
            } else {
                guard FileManager.default.fileExists(atPath: traceURL.path) else {
                    throw fail("base trace \(Escaped.path(traceURL.path)) does not exist")
                }
                do {
                    trace = try SpotTrace.load(from: traceURL)
                } catch let error as SimError {
                    throw fail("base trace \(error)")
                }
                guard trace.gapSeconds == file.gap_seconds else {
                    throw fail("\(Escaped.path(row.base_trace)) has gap_seconds \(trace.gapSeconds), the file says \(file.gap_seconds)")
                }
                traces[traceURL.path] = trace
            }
            let job: SpotJob
            let window: ArraySlice<UInt8>
            do {
                job = try SpotJob(taskHours: row.task_hours, deadlineHours: row.deadline_hours,
                                  overheadHours: row.restart_overhead_hours)
                window = try trace.window(start: row.start_tick, ticks: row.ticks, name: row.base_trace)
                try SpotSimulator.validate(windowTicks: row.ticks, gapSeconds: trace.gapSeconds, job: job,
                                           name: row.base_trace)
            } catch let error as SimError {
                throw fail(error.description)
            }
            scenarios.append(SpotScenario(
                env: row.env, traceID: row.trace_id, baseTrace: row.base_trace, baseTracePath: traceURL.path,
                startTick: row.start_tick, ticks: row.ticks, taskHours: row.task_hours,
                deadlineHours: row.deadline_hours, overheadHours: row.restart_overhead_hours,
                job: job, window: window))
        }
        return SpotScenarioSet(name: file.name, note: file.note ?? "", gapSeconds: file.gap_seconds,
                               scenarios: scenarios, source: url)
    }
}
