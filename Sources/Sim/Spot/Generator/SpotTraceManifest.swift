import Foundation
import SimCore

/// Everything needed to regenerate a folder of synthetic spot traces and its scenario file:
/// the generator's name, the fitted profiles, the seed and the sizes. Committed next to the
/// files it produces.
public struct SpotTraceManifest: Codable, Sendable, Equatable {
    /// The generator and its version; bumping it is how the output is allowed to change.
    public var generator: String
    public var seed: UInt64
    public var gapSeconds: Double
    public var ticksPerTrace: Int
    public var tracesPerProfile: Int
    public var profiles: [SpotTraceProfile]
    public var scenarios: ScenarioPlan
    /// A second, disjoint set of traces and scenarios for held-out scoring.
    public var heldOut: HeldOutPlan?

    /// The held-out set: the same plan, traces from another seed.
    public struct HeldOutPlan: Codable, Sendable, Equatable {
        public var seed: UInt64
        public var file: String
        public var name: String
    }

    /// How the scenario file over the generated traces is laid out.
    public struct ScenarioPlan: Codable, Sendable, Equatable {
        /// File name of the scenario file, in the manifest's folder.
        public var file: String
        /// The scenario set's `name`.
        public var name: String
        public var windowsPerTrace: Int
        public var windowTicks: Int
        public var taskHours: Double
        public var deadlineHours: [Double]
        public var restartOverheadHours: [Double]
        /// Further jobs, each with its own deadlines, after (`task_hours`, `deadline_hours`): a
        /// research-scale set mixes job lengths. Absent in a manifest that has one job.
        public var extraJobs: [JobMix]?

        /// Every (task, its deadlines) of the plan, the first one first.
        public var jobs: [JobMix] { [JobMix(taskHours: taskHours, deadlineHours: deadlineHours)] + (extraJobs ?? []) }

        public init(file: String, name: String, windowsPerTrace: Int, windowTicks: Int,
                    taskHours: Double, deadlineHours: [Double], restartOverheadHours: [Double]) {
            self.file = file
            self.name = name
            self.windowsPerTrace = windowsPerTrace
            self.windowTicks = windowTicks
            self.taskHours = taskHours
            self.deadlineHours = deadlineHours
            self.restartOverheadHours = restartOverheadHours
        }

        enum CodingKeys: String, CodingKey {
            case file, name, windowsPerTrace = "windows_per_trace", windowTicks = "window_ticks"
            case taskHours = "task_hours", deadlineHours = "deadline_hours"
            case restartOverheadHours = "restart_overhead_hours", extraJobs = "extra_jobs"
        }
    }

    /// A job length and the deadlines it is scheduled against.
    public struct JobMix: Codable, Sendable, Equatable {
        public var taskHours: Double
        public var deadlineHours: [Double]

        public init(taskHours: Double, deadlineHours: [Double]) {
            self.taskHours = taskHours
            self.deadlineHours = deadlineHours
        }

        enum CodingKeys: String, CodingKey {
            case taskHours = "task_hours", deadlineHours = "deadline_hours"
        }
    }

    public init(generator: String, seed: UInt64, gapSeconds: Double, ticksPerTrace: Int,
                tracesPerProfile: Int, profiles: [SpotTraceProfile], scenarios: ScenarioPlan) {
        self.generator = generator
        self.seed = seed
        self.gapSeconds = gapSeconds
        self.ticksPerTrace = ticksPerTrace
        self.tracesPerProfile = tracesPerProfile
        self.profiles = profiles
        self.scenarios = scenarios
        heldOut = nil
    }

    enum CodingKeys: String, CodingKey {
        case generator, seed, gapSeconds = "gap_seconds", ticksPerTrace = "ticks_per_trace"
        case tracesPerProfile = "traces_per_profile", profiles, scenarios, heldOut = "held_out"
    }

    static func isPlainFileName(_ name: String) -> Bool {
        !name.isEmpty && !name.contains("/") && name != "." && name != ".." && !name.hasPrefix(".")
    }

    /// The generator this code implements.
    public static let currentGenerator = "spot-semi-markov-lognormal/1"

    /// Reads and checks a manifest.
    /// - Throws: `SimError.malformedFile` naming the manifest and the problem.
    public static func load(from url: URL) throws -> SpotTraceManifest {
        let manifest = try JSONFile.decode(SpotTraceManifest.self, from: url)
        func fail(_ reason: String) -> SimError { .malformedFile(url.path, reason: reason) }
        guard manifest.generator == currentGenerator else {
            throw fail("generator '\(manifest.generator)' is not '\(currentGenerator)'")
        }
        // Bounds keep a typo from asking for terabytes.
        guard manifest.gapSeconds >= 1e-3, manifest.gapSeconds <= SpotTrace.maximumGapSeconds,
              (1...10_000_000).contains(manifest.ticksPerTrace), (1...1_000).contains(manifest.tracesPerProfile),
              (1...1_000).contains(manifest.profiles.count) else {
            throw fail("gap_seconds, ticks_per_trace (≤ 10,000,000), traces_per_profile (≤ 1,000) and profiles "
                + "(1 to 1,000) are out of range")
        }
        let plan = manifest.scenarios
        guard plan.windowTicks > 0, plan.windowTicks <= manifest.ticksPerTrace, (1...10_000).contains(plan.windowsPerTrace),
              plan.jobs.allSatisfy({ !$0.deadlineHours.isEmpty }), !plan.restartOverheadHours.isEmpty,
              plan.jobs.count <= 100 else {
            throw fail("scenarios: window_ticks must fit in ticks_per_trace; windows (≤ 10,000), each job's deadlines "
                + "and the overheads must be non-empty, at most 100 jobs")
        }
        guard isPlainFileName(plan.file) else { throw fail("scenarios.file must be a plain file name, not '\(plan.file)'") }
        if let heldOut = manifest.heldOut {
            guard isPlainFileName(heldOut.file), heldOut.file != plan.file, heldOut.seed != manifest.seed else {
                throw fail("held_out needs its own plain file name and its own seed")
            }
        }
        for mix in plan.jobs {
            for deadline in mix.deadlineHours {
                for overhead in plan.restartOverheadHours {
                    do {
                        let job = try SpotJob(taskHours: mix.taskHours, deadlineHours: deadline, overheadHours: overhead)
                        try SpotSimulator.validate(windowTicks: plan.windowTicks, gapSeconds: manifest.gapSeconds,
                                                   job: job, name: "scenarios.window_ticks")
                    } catch let error as SimError {
                        throw fail("scenarios: \(error)")
                    }
                }
            }
        }
        var names = Set<String>()
        for profile in manifest.profiles {
            guard isPlainFileName(profile.name), names.insert(profile.name).inserted else {
                throw fail("profile names must be unique plain file names ('\(profile.name)')")
            }
            for model in [profile.available, profile.unavailable]
            where !(model.mu.isFinite && model.sigma >= 0 && model.sigma <= 10 && abs(model.mu) <= 50) {
                throw fail("profile \(profile.name): mu must be in [-50, 50] and sigma in [0, 10]")
            }
        }
        return manifest
    }
}
