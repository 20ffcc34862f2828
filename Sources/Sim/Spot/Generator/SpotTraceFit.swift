import Foundation
import SimCore

extension SpotTraceManifest {
    /// One profile per base trace in the reference data's `spot/single_region/base/`.
    /// - Throws: `SimError` when the folder is missing, empty or holds a bad trace.
    public static func fitProfiles(referenceData: URL) throws -> [SpotTraceProfile] {
        let base = referenceData.appendingPathComponent("spot/single_region/base")
        let names = try FileManager.default.contentsOfDirectory(atPath: base.path)
            .filter { $0.hasSuffix(".json") }.sorted()
        guard !names.isEmpty else { throw SimError.fileNotFound(base.path + "/*.json", tried: [base.path]) }
        return try names.map { name -> SpotTraceProfile in
            let trace = try SpotTrace.load(from: base.appendingPathComponent(name))
            let env = String(name.dropLast(".json".count))
            return try SpotTraceProfile.fit(trace, name: "synthetic-\(env)", fittedTo: "spot/single_region/base/\(name)")
        }
    }

    /// `existing` with `profiles`, or the default manifest around them.
    public static func fitted(_ profiles: [SpotTraceProfile], into existing: SpotTraceManifest?) -> SpotTraceManifest {
        var result = existing ?? SpotTraceManifest(
            generator: SpotTraceManifest.currentGenerator, seed: 20_261_126, gapSeconds: 600,
            ticksPerTrace: 1781, tracesPerProfile: 2, profiles: profiles,
            scenarios: .init(file: "scenarios-small.json", name: "small-spot", windowsPerTrace: 10,
                             windowTicks: 554, taskHours: 48, deadlineHours: [52, 70, 92],
                             restartOverheadHours: [0.02, 0.2, 0.4]))
        result.profiles = profiles
        return result
    }
}
