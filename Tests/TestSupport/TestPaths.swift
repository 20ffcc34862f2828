import Foundation
import Sim

/// Paths shared by the test targets.
public enum TestPaths {
    /// The repository root, found from this source file's location.
    public static let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // TestSupport
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()

    /// The reference data folder. The tests require it: they assert the reference values.
    public static func referenceData() throws -> URL {
        try ReferenceData.locate(searchStarts: [repositoryRoot])
    }

    /// `spot/single_region` inside the reference data.
    public static func spotSingleRegion() throws -> URL {
        try referenceData().appendingPathComponent("spot/single_region")
    }

    /// The committed default spot traces.
    public static var spotTraces: URL { repositoryRoot.appendingPathComponent("traces/spot") }

    /// A fresh temporary folder, removed by the caller if it cares.
    public static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("sim-cascade-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
