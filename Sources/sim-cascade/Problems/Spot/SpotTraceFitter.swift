import Cascade
import Foundation
import Sim
import SimCore

/// `traces fit --problem spot`: one profile per base trace in the reference data's
/// spot/single_region/base/, written into traces/spot/manifest.json.
struct SpotTraceFitter: TraceFitter {
    func fit(manifest: String?, json: Bool) throws {
        let base = try InputCatalog.standard.referenceData().appendingPathComponent("spot/single_region/base")
        let names = try FileManager.default.contentsOfDirectory(atPath: base.path)
            .filter { $0.hasSuffix(".json") }.sorted()
        guard !names.isEmpty else { throw SimError.fileNotFound(base.path + "/*.json", tried: [base.path]) }
        let profiles = try names.map { name -> SpotTraceProfile in
            let trace = try SpotTrace.load(from: base.appendingPathComponent(name))
            let env = String(name.dropLast(".json".count))
            return try SpotTraceProfile.fit(trace, name: "synthetic-\(env)",
                                            fittedTo: "spot/single_region/base/\(name)")
        }
        if json { return try JSONOutput.print(profiles) }

        let url = try manifest.map(InputCatalog.standard.userPath) ?? InputCatalog.standard.packageFile("traces/spot/manifest.json")
        var result = FileManager.default.fileExists(atPath: url.path)
            ? try SpotTraceManifest.load(from: url) : Self.defaultManifest(profiles: profiles)
        result.profiles = profiles
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        do {
            try (encoder.encode(result) + Data("\n".utf8)).write(to: url)
        } catch {
            throw CLIError.cannotWrite(url.path, reason: "\(error.localizedDescription)")
        }
        print("wrote \(profiles.count) fitted profiles to \(url.path)")
    }

    static func defaultManifest(profiles: [SpotTraceProfile]) -> SpotTraceManifest {
        SpotTraceManifest(
            generator: SpotTraceManifest.currentGenerator, seed: 20_261_126, gapSeconds: 600,
            ticksPerTrace: 1781, tracesPerProfile: 2, profiles: profiles,
            scenarios: .init(file: "scenarios-default.json", name: "default-spot", windowsPerTrace: 10,
                             windowTicks: 554, taskHours: 48, deadlineHours: [52, 70, 92],
                             restartOverheadHours: [0.02, 0.2, 0.4]))
    }
}
