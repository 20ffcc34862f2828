import Foundation

/// Fixture candidates under `Tests/Fixtures/candidates/` and helpers to evaluate them.
public enum CandidateFixtures {
    public static let folder = TestPaths.repositoryRoot.appendingPathComponent("Tests/Fixtures/candidates")

    /// A compile cache shared by the tests of one process, so each fixture compiles once.
    public static let cache: URL = {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("sim-cascade-test-cache-\(getpid())", isDirectory: true)
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
        let source = TestPaths.spotTraces.appendingPathComponent("scenarios-default.json")
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

    /// Runs `sim-cascade eval` with the shared cache.
    public static func eval(_ candidate: URL, _ extra: [String] = []) throws -> CommandResult {
        var environment = ProcessInfo.processInfo.environment
        environment["SIM_CASCADE_CACHE"] = cache.path
        return try CommandRunner.run(["eval", candidate.path, "--json"] + extra, environment: environment)
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

    /// Live processes (zombies excluded: a killed sandbox's init is reaped by the machine's init)
    /// running as a sandbox uid (1,000,000 ..< 1,900,000, or 65534), found through /proc.
    public static func sandboxProcesses() -> [String] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.filter { $0.allSatisfy(\.isNumber) }.compactMap { pid in
            guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
            let lines = status.split(separator: "\n")
            let uid = lines.first { $0.hasPrefix("Uid:") }?.split(whereSeparator: \.isWhitespace).dropFirst().first
            let zombie = lines.first { $0.hasPrefix("State:") }?.contains("Z") ?? false
            let sandboxed = uid.flatMap { Int($0) }.map { $0 == 65534 || (1_000_000 ..< 1_900_000).contains($0) } ?? false
            return sandboxed && !zombie ? pid : nil
        }
    }
}
