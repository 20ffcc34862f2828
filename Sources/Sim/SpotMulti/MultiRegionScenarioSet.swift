import Foundation
import SimCore

/// One (scenario, trace index) pair: time-aligned traces of the scenario's regions, whole from tick 0.
public struct MultiRegionRunInput: Sendable {
    public var scenario: String
    public var traceIndex: Int
    /// Per region, in ring order (the first is the start region): availability (1 = unavailable)
    /// and spot prices in $/h, one entry per tick.
    public var unavailable: [[UInt8]]
    public var prices: [[Double]]
    public var ticks: Int { unavailable.map(\.count).min() ?? 0 }
}

/// A scenario of the multi-region set: regions in ring order and the trace indices it runs.
public struct MultiRegionScenario: Sendable {
    public var name: String
    public var regions: [String]
    public var traces: [Int]
}

/// A multi-region scenario file (`scenarios-leaderboard-multi.json`'s format) with every trace
/// it names loaded and checked.
public struct MultiRegionScenarioSet: Sendable {
    public var name: String
    public var note: String
    public var job: SpotJob
    public var taskHours: Double
    public var deadlineHours: Double
    public var overheadHours: Double
    public var gapSeconds: Double
    public var scenarios: [MultiRegionScenario]
    /// Every run, scenario by scenario in file order, traces in the scenario's order.
    public var runs: [MultiRegionRunInput]
    public var source: URL
    /// The trace files read, each once, in the order first read.
    public var traceFiles: [URL] = []

    struct File: Decodable {
        struct Scenario: Decodable { var name: String; var regions: [String]; var traces: [Int] }
        var name: String
        var note: String?
        var task_hours: Double
        var deadline_hours: Double
        var restart_overhead_hours: Double
        var trace_folder: String
        var scenarios: [Scenario]
    }

    /// Reads a scenario file and its traces (`trace_folder/REGION/INDEX.json`, relative to the file).
    ///
    /// - Throws: `SimError` naming the file and the problem: an empty scenario or set, a missing
    ///   region file, regions with different tick lengths, a trace without prices or shorter than
    ///   `ceil(deadline/gap) + 1` ticks.
    /// - Complexity: O(total ticks of the traces named).
    public static func load(from url: URL) throws -> MultiRegionScenarioSet {
        let file = try JSONFile.decode(File.self, from: url)
        guard !file.scenarios.isEmpty else { throw SimError.malformedFile(url.path, reason: "scenarios is empty") }
        let job = try SpotJob(taskHours: file.task_hours, deadlineHours: file.deadline_hours, overheadHours: file.restart_overhead_hours)
        let folder = url.deletingLastPathComponent().appendingPathComponent(file.trace_folder, isDirectory: true)
        var cache: [String: SpotTrace] = [:]
        var traceFiles: [URL] = []
        func trace(_ region: String, _ index: Int) throws -> (SpotTrace, String) {
            let path = folder.appendingPathComponent(region).appendingPathComponent("\(index).json")
            if let known = cache[path.path] { return (known, path.path) }
            guard FileManager.default.fileExists(atPath: path.path) else {
                throw SimError.malformedFile(url.path, reason: "region file \(Escaped.path(path.path)) does not exist (trace_folder is relative to the scenario file)")
            }
            let loaded = try SpotTrace.load(from: path)
            guard loaded.prices != nil else { throw SimError.malformedFile(path.path, reason: "has no prices") }
            cache[path.path] = loaded
            traceFiles.append(path)
            return (loaded, path.path)
        }
        var gap: Double?
        var runs: [MultiRegionRunInput] = []
        // Scores are per scenario, by name: two of one name would be averaged as one.
        var names = Set<String>()
        if let twice = file.scenarios.first(where: { !names.insert($0.name).inserted }) {
            throw SimError.malformedFile(url.path, reason: "scenario name \(Escaped.value(twice.name)) appears twice")
        }
        for scenario in file.scenarios {
            guard !scenario.regions.isEmpty, !scenario.traces.isEmpty else {
                throw SimError.malformedFile(url.path, reason: "scenario \(Escaped.value(scenario.name)) has no \(scenario.regions.isEmpty ? "regions" : "traces")")
            }
            guard Set(scenario.regions).count == scenario.regions.count else {
                throw SimError.malformedFile(url.path, reason: "scenario \(Escaped.value(scenario.name)) names a region twice")
            }
            for index in scenario.traces {
                var unavailable: [[UInt8]] = [], prices: [[Double]] = []
                for region in scenario.regions {
                    let (t, path) = try trace(region, index)
                    if let gap, t.gapSeconds != gap {
                        throw SimError.malformedFile(path, reason: "gap_seconds \(t.gapSeconds) differs from the other regions' \(gap)")
                    }
                    gap = t.gapSeconds
                    if let first = unavailable.first, first.count != t.tickCount {
                        throw SimError.malformedFile(path, reason: "has \(t.tickCount) ticks, \(Escaped.value(scenario.regions[0]))/\(index).json has \(first.count)")
                    }
                    let needed = job.requiredTicks(gapSeconds: t.gapSeconds)
                    guard t.tickCount >= needed else {
                        throw SimError.windowTooShort(file: path, ticks: t.tickCount, needed: needed)
                    }
                    unavailable.append(t.unavailable)
                    prices.append(t.prices!)
                }
                runs.append(MultiRegionRunInput(scenario: scenario.name, traceIndex: index, unavailable: unavailable, prices: prices))
            }
        }
        return MultiRegionScenarioSet(name: file.name, note: file.note ?? "", job: job, taskHours: file.task_hours,
                                      deadlineHours: file.deadline_hours, overheadHours: file.restart_overhead_hours,
                                      gapSeconds: gap!, scenarios: file.scenarios.map { MultiRegionScenario(name: $0.name, regions: $0.regions, traces: $0.traces) },
                                      runs: runs, source: url, traceFiles: traceFiles)
    }
}
