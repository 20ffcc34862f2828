import Foundation
import Sim

extension SpotMultiProblem {
    /// One region model per folder of the reference multi-region traces.
    public func fitTraces(referenceData: URL, manifest: URL) throws -> TraceFit? {
        let regions = try SpotMultiTraceManifest.fitRegions(referenceData: referenceData)
        let existing = FileManager.default.fileExists(atPath: manifest.path) ? try SpotMultiTraceManifest.load(from: manifest) : nil
        return TraceFit(fitted: regions, manifest: SpotMultiTraceManifest.fitted(regions, into: existing),
                        summary: "\(regions.count) fitted regions")
    }
}
