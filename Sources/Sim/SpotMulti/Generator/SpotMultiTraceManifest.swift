import Foundation
import SimCore

/// Everything needed to regenerate `traces/spot-multi/`: per region an availability model and a
/// price model fitted to the reference multi-region traces, the sizes, the scenarios (regions in
/// ring order) and the seeds of the search and held-out sets. Committed next to its output.
public struct SpotMultiTraceManifest: Codable, Sendable, Equatable {
    public static let currentGenerator = "spot-multi-semi-markov/1"

    /// Piecewise-constant spot prices: `changes` change points a trace, each segment's price
    /// drawn uniformly from `low…high` $/h (4 decimals).
    public struct PriceModel: Codable, Sendable, Equatable {
        public var low: Double
        public var high: Double
        public var changes: Int

        public init(low: Double, high: Double, changes: Int) {
            (self.low, self.high, self.changes) = (low, high, changes)
        }
    }

    public struct Region: Codable, Sendable, Equatable {
        public var name: String
        public var fittedTo: String
        public var availability: SpotTraceProfile
        public var price: PriceModel

        enum CodingKeys: String, CodingKey { case name, fittedTo = "fitted_to", availability, price }

        public init(name: String, fittedTo: String, availability: SpotTraceProfile, price: PriceModel) {
            (self.name, self.fittedTo, self.availability, self.price) = (name, fittedTo, availability, price)
        }
    }

    public struct Scenario: Codable, Sendable, Equatable {
        public var name: String
        public var regions: [String]

        public init(name: String, regions: [String]) { (self.name, self.regions) = (name, regions) }
    }

    /// One generated set: its scenario file, set name, trace folder and seed.
    public struct SetPlan: Codable, Sendable, Equatable {
        public var file: String
        public var name: String
        public var folder: String
        public var seed: UInt64

        public init(file: String, name: String, folder: String, seed: UInt64) {
            (self.file, self.name, self.folder, self.seed) = (file, name, folder, seed)
        }
    }

    public var generator: String
    public var gapSeconds: Double
    public var ticksPerTrace: Int
    public var tracesPerSet: Int
    public var taskHours: Double
    public var deadlineHours: Double
    public var restartOverheadHours: Double
    public var regions: [Region]
    public var scenarios: [Scenario]
    public var search: SetPlan
    public var heldOut: SetPlan

    enum CodingKeys: String, CodingKey {
        case generator, gapSeconds = "gap_seconds", ticksPerTrace = "ticks_per_trace", tracesPerSet = "traces_per_set"
        case taskHours = "task_hours", deadlineHours = "deadline_hours", restartOverheadHours = "restart_overhead_hours"
        case regions, scenarios, search, heldOut = "held_out"
    }

    public init(generator: String, gapSeconds: Double, ticksPerTrace: Int, tracesPerSet: Int, taskHours: Double, deadlineHours: Double,
                restartOverheadHours: Double, regions: [Region], scenarios: [Scenario], search: SetPlan, heldOut: SetPlan) {
        self.generator = generator
        self.gapSeconds = gapSeconds
        self.ticksPerTrace = ticksPerTrace
        self.tracesPerSet = tracesPerSet
        self.taskHours = taskHours
        self.deadlineHours = deadlineHours
        self.restartOverheadHours = restartOverheadHours
        self.regions = regions
        self.scenarios = scenarios
        self.search = search
        self.heldOut = heldOut
    }

    /// - Throws: `SimError.malformedFile` for a manifest this generator cannot follow.
    public static func load(from url: URL) throws -> SpotMultiTraceManifest {
        let manifest = try JSONFile.decode(SpotMultiTraceManifest.self, from: url)
        guard manifest.generator == currentGenerator else {
            throw SimError.malformedFile(url.path, reason: "generator \(manifest.generator) is not \(currentGenerator)")
        }
        let names = Set(manifest.regions.map(\.name))
        for s in manifest.scenarios where s.regions.isEmpty || !s.regions.allSatisfy(names.contains) {
            throw SimError.malformedFile(url.path, reason: "scenario \(s.name) names no region or an unknown one")
        }
        guard manifest.ticksPerTrace >= 2, manifest.tracesPerSet >= 1, manifest.gapSeconds > 0,
              manifest.regions.allSatisfy({ $0.price.low > 0 && $0.price.low <= $0.price.high && $0.price.changes >= 0 }) else {
            throw SimError.malformedFile(url.path, reason: "sizes must be positive and price ranges ordered")
        }
        return manifest
    }
}
