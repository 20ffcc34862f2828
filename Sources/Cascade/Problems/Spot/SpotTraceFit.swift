import Foundation
import Sim

extension SpotProblem {
    /// One profile per reference base trace.
    public func fitTraces(referenceData: URL, manifest: URL) throws -> TraceFit? {
        let profiles = try SpotTraceManifest.fitProfiles(referenceData: referenceData)
        let existing = FileManager.default.fileExists(atPath: manifest.path) ? try SpotTraceManifest.load(from: manifest) : nil
        return TraceFit(fitted: profiles, manifest: SpotTraceManifest.fitted(profiles, into: existing),
                        summary: "\(profiles.count) fitted profiles")
    }
}
