import Foundation
import SimCore

extension SpotMultiTraceManifest {
    /// One region model per folder of the reference multi-region traces.
    /// - Throws: `SimError` when the folder is missing, empty or holds a bad trace.
    public static func fitRegions(referenceData: URL) throws -> [Region] {
        let folder = "spot/multi_region/converted_multi_region_aligned"
        let base = referenceData.appendingPathComponent(folder)
        let regionNames = try FileManager.default.contentsOfDirectory(atPath: base.path).filter { !$0.hasPrefix(".") }.sorted()
        guard !regionNames.isEmpty else { throw SimError.fileNotFound(base.path + "/*/", tried: [base.path]) }
        return try regionNames.map { name in
            let files = try FileManager.default.contentsOfDirectory(atPath: base.appendingPathComponent(name).path)
                .filter { $0.hasSuffix(".json") }.sorted()
            let traces = try files.map { try SpotTrace.load(from: base.appendingPathComponent(name).appendingPathComponent($0)) }
            return SpotMultiTraceGenerator.fit(region: "synthetic-\(name)", fittedTo: "\(folder)/\(name)", traces: traces)
        }
    }

    /// `existing` with `regions`, or the public evaluator's job and scenario shapes over them.
    public static func fitted(_ regions: [Region], into existing: SpotMultiTraceManifest?) -> SpotMultiTraceManifest {
        let names = regions.map(\.name)
        func pick(_ indices: [Int]) -> [String] { indices.filter { $0 < names.count }.map { names[$0] } }
        var result = existing ?? SpotMultiTraceManifest(
            generator: SpotMultiTraceManifest.currentGenerator, gapSeconds: 195, ticksPerTrace: 1107, tracesPerSet: 4,
            taskHours: 48, deadlineHours: 52, restartOverheadHours: 0.2, regions: regions,
            scenarios: [.init(name: "2_zones_same_region", regions: pick([0, 1])), .init(name: "2_regions_east_west", regions: pick([4, 6])),
                        .init(name: "3_regions_diverse", regions: pick([0, 5, 8])), .init(name: "3_zones_same_region", regions: pick([0, 1, 2])),
                        .init(name: "5_regions_high_diversity", regions: pick([0, 3, 6, 7, 5])), .init(name: "all_regions", regions: names)],
            search: .init(file: "scenarios-small.json", name: "small-multi", folder: "search", seed: 20_261_127),
            heldOut: .init(file: "scenarios-small-heldout.json", name: "small-heldout-multi", folder: "heldout", seed: 20_261_128))
        result.regions = regions
        return result
    }
}
