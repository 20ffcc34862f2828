import Foundation
import Sim
import SimCore

/// Paths shared by the test targets.
public enum TestPaths {
    /// The repository root, found from this source file's location.
    public static let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // TestSupport
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()

    /// The reference data folder; tests that read it carry `.needsReferenceData`.
    public static func referenceData() throws -> URL {
        try ReferenceData.locate(searchStarts: [repositoryRoot])
    }

    /// `spot/single_region` inside the reference data.
    public static func spotSingleRegion() throws -> URL {
        try referenceData().appendingPathComponent("spot/single_region")
    }

    /// The committed default spot traces.
    public static var spotTraces: URL { repositoryRoot.appendingPathComponent("traces/spot") }

    /// The folder of this test process's temporary folders, removed when the process exits.
    public static let sessionFolder: URL = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("sim-cascade-tests-\(getpid())", isDirectory: true)
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        atexit { try? FileManager.default.removeItem(at: TestPaths.sessionFolder) }
        return url
    }()

    /// A fresh temporary folder holding a copy of the committed spot scenario files and the base
    /// traces they name (`traces/spot/*.json`), for tests that change an input's bytes.
    public static func copyOfSpotTraces() throws -> URL {
        let traces = repositoryRoot.appendingPathComponent("traces/spot")
        let folder = try temporaryDirectory()
        for name in try FileManager.default.contentsOfDirectory(atPath: traces.path) where name.hasSuffix(".json") {
            try FileManager.default.copyItem(at: traces.appendingPathComponent(name), to: folder.appendingPathComponent(name))
        }
        return folder
    }

    /// A fresh temporary folder inside `sessionFolder`.
    public static func temporaryDirectory() throws -> URL {
        let url = sessionFolder.appendingPathComponent(UUID().uuidString, isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

/// The committed `traces/<problem>/` folder against its manifest's output.
public enum CommittedInputs {
    /// Files whose bytes differ from the manifest's output, and files present that the manifest
    /// does not produce (besides `manifest.json`). Both are empty when the folder is current.
    public static func mismatches(problem: String, generate: (URL) throws -> [GeneratedFile]) throws
        -> (differing: [String], extra: [String]) {
        let folder = TestPaths.repositoryRoot.appendingPathComponent("traces/\(problem)")
        let files = try generate(folder.appendingPathComponent("manifest.json"))
        let differing = files.filter { file in
            FileManager.default.contents(atPath: folder.appendingPathComponent(file.name).path) != Data(file.contents.utf8)
        }.map(\.name)
        let expected = Set(files.map(\.name) + ["manifest.json"])
        // Every regular file below the folder, by its path relative to it.
        let present = (FileManager.default.enumerator(atPath: folder.path)?.compactMap { $0 as? String } ?? []).filter { path in
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: folder.appendingPathComponent(path).path, isDirectory: &isDirectory)
                && !isDirectory.boolValue
        }
        // `research/` holds the manifest and pins of sets generated at first use, checked by `traces generate --check`.
        let extra = present.filter { !expected.contains($0) && !$0.hasPrefix("research/") }
        return (differing, extra.sorted())
    }
}
