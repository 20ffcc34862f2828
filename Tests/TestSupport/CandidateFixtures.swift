import Foundation

/// Fixture candidates under `Tests/Fixtures/candidates/` and helpers to evaluate them.
public enum CandidateFixtures {
    public static let folder = TestPaths.repositoryRoot.appendingPathComponent("Tests/Fixtures/candidates")

    /// A compile cache shared by the tests of one process, so each fixture compiles once.
    public static let cache: URL = {
        let url = TestPaths.sessionFolder.appendingPathComponent("cache", isDirectory: true)
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }()

    /// Writes fixture `name` into a fresh folder with `placeholders` replaced, and returns it.
    public static func materialize(_ name: String, _ placeholders: [String: String] = [:]) throws -> URL {
        var source = try String(contentsOf: folder.appendingPathComponent("\(name).swift"), encoding: .utf8)
        for (key, value) in placeholders { source = source.replacingOccurrences(of: key, with: value) }
        let url = try TestPaths.temporaryDirectory().appendingPathComponent("\(name).swift")
        try source.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    /// A 20-scenario set drawn from the default traces (every 72nd scenario).
    public static let smallScenarioSet: URL = {
        let source = TestPaths.spotTraces.appendingPathComponent("scenarios-small.json")
        let data = try! Data(contentsOf: source)
        var file = try! JSONSerialization.jsonObject(with: data) as! [String: Any]
        let rows = (file["scenarios"] as! [[String: Any]]).enumerated().filter { $0.offset % 72 == 0 }.map { row in
            var row = row.element
            row["base_trace"] = TestPaths.spotTraces.appendingPathComponent(row["base_trace"] as! String).path
            return row
        }
        file["scenarios"] = rows
        file["name"] = "small"
        let url = try! TestPaths.temporaryDirectory().appendingPathComponent("small.json")
        try! JSONSerialization.data(withJSONObject: file).write(to: url)
        return url
    }()

    /// Runs `sim-cascade eval` with the shared cache, its sandboxes taking uids from `uids`
    /// (by default a fresh range of this test's own), on the small committed inputs unless
    /// `extra` names inputs: research-scale sets are the bench's, since a debug build's parent
    /// spends seconds a level on them.
    public static func eval(_ candidate: URL, _ extra: [String] = [], uids: SandboxUIDs = SandboxUIDs(),
                            killAfter: Double? = nil, json: Bool = true) throws -> CommandResult {
        var environment = ProcessInfo.processInfo.environment
        environment["SIM_CASCADE_CACHE"] = cache.path
        environment["SIM_CASCADE_SANDBOX_UIDS"] = uids.description
        let inputs = extra.contains { ["--scenarios", "--input", "--inputs"].contains($0) } ? [] : ["--inputs", "small"]
        var result = try CommandRunner.run(["eval", candidate.path] + (json ? ["--json"] : []) + extra + inputs, environment: environment,
                                           killAfter: killAfter)
        result.sandboxUIDs = uids
        return result
    }

    /// The template candidate of `problem`, as `sim-cascade init` prints it, in a fresh folder.
    public static func template(_ problem: String = "spot") throws -> URL {
        let template = try CommandRunner.run(["init", problem])
        guard template.stdout.contains("// EVOLVE-BLOCK-START") && template.stdout.contains("// EVOLVE-BLOCK-END") else {
            throw CocoaError(.fileReadCorruptFile, userInfo: [NSLocalizedDescriptionKey: "init \(problem): no evolve block"])
        }
        let url = try TestPaths.temporaryDirectory().appendingPathComponent("candidate.swift")
        try template.stdout.write(to: url, atomically: true, encoding: .utf8)
        return url
    }
}
