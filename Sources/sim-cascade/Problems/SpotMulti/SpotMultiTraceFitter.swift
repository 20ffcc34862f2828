import Cascade
import Foundation
import Sim
import SimCore

/// `traces fit --problem spot-multi`.
struct SpotMultiTraceFitter: TraceFitter {
    /// One region model per folder of the reference multi-region traces, written into
    /// traces/spot-multi/manifest.json (its other fields kept, or defaults).
    func fit(manifest: String?, json: Bool) throws {
        let folder = "spot/multi_region/converted_multi_region_aligned"
        let base = try InputCatalog.standard.referenceData().appendingPathComponent(folder)
        let regionNames = try FileManager.default.contentsOfDirectory(atPath: base.path).filter { !$0.hasPrefix(".") }.sorted()
        guard !regionNames.isEmpty else { throw SimError.fileNotFound(base.path + "/*/", tried: [base.path]) }
        let regions = try regionNames.map { name in
            let files = try FileManager.default.contentsOfDirectory(atPath: base.appendingPathComponent(name).path)
                .filter { $0.hasSuffix(".json") }.sorted()
            let traces = try files.map { try SpotTrace.load(from: base.appendingPathComponent(name).appendingPathComponent($0)) }
            return SpotMultiTraceGenerator.fit(region: "synthetic-\(name)", fittedTo: "\(folder)/\(name)", traces: traces)
        }
        if json { return try JSONOutput.print(regions) }
        let url = try manifest.map(InputCatalog.standard.userPath) ?? InputCatalog.standard.packageFile("traces/spot-multi/manifest.json")
        var result = FileManager.default.fileExists(atPath: url.path)
            ? try SpotMultiTraceManifest.load(from: url) : Self.defaultMultiRegionManifest(regions: regions)
        result.regions = regions
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try (encoder.encode(result) + Data("\n".utf8)).write(to: url)
        } catch {
            throw CLIError.cannotWrite(url.path, reason: "\(error.localizedDescription)")
        }
        print("wrote \(regions.count) fitted regions to \(url.path)")
    }

    /// The public evaluator's job and scenario shapes, over the synthetic regions.
    static func defaultMultiRegionManifest(regions: [SpotMultiTraceManifest.Region]) -> SpotMultiTraceManifest {
        let names = regions.map(\.name)
        func pick(_ indices: [Int]) -> [String] { indices.filter { $0 < names.count }.map { names[$0] } }
        return SpotMultiTraceManifest(
            generator: SpotMultiTraceManifest.currentGenerator, gapSeconds: 195, ticksPerTrace: 1107, tracesPerSet: 4,
            taskHours: 48, deadlineHours: 52, restartOverheadHours: 0.2, regions: regions,
            scenarios: [.init(name: "2_zones_same_region", regions: pick([0, 1])), .init(name: "2_regions_east_west", regions: pick([4, 6])),
                        .init(name: "3_regions_diverse", regions: pick([0, 5, 8])), .init(name: "3_zones_same_region", regions: pick([0, 1, 2])),
                        .init(name: "5_regions_high_diversity", regions: pick([0, 3, 6, 7, 5])), .init(name: "all_regions", regions: names)],
            search: .init(file: "scenarios-default.json", name: "default-multi", folder: "search", seed: 20_261_127),
            heldOut: .init(file: "scenarios-heldout.json", name: "heldout-multi", folder: "heldout", seed: 20_261_128))
    }
}
