import Foundation
import TestSupport
import Testing

/// What a scale-out request names its inputs by (`traces digest`, `eval --expect-inputs`): the
/// same bytes give the same digest wherever they are; other bytes or another set another; a
/// worker whose inputs differ refuses the request (exit 3), before compiling.
@Suite struct InputDigestTests {
    func digest(_ arguments: [String]) throws -> String {
        let result = try CommandRunner.run(["traces", "digest"] + arguments)
        #expect(result.status == 0, "\(arguments): \(result.stderr)")
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test(arguments: ["spot", "spot-multi", "eplb", "prefix", "txn"])
    func everyProblemsSetsHaveDigestsOfTheirOwn(problem: String) throws {
        let search = try digest(["--problem", problem, "--inputs", "small"])
        #expect(search.count == 16)
        #expect(try digest(["--problem", problem, "--inputs", "small"]) == search)
        #expect(try digest(["--problem", problem, "--inputs", "small", "--held-out"]) != search)
    }

    @Test func theDigestNamesTheBytesLoaded() throws {
        // A copy of the files elsewhere is the same inputs; one byte changed, in the scenario
        // file or in a base trace it names, is not.
        let original = TestPaths.repositoryRoot.appendingPathComponent("traces/spot/scenarios-small.json")
        let folder = try TestPaths.copyOfSpotTraces()
        defer { try? FileManager.default.removeItem(at: folder) }
        let copy = folder.appendingPathComponent("scenarios-small.json")
        var bytes = try Data(contentsOf: original)
        let copied = try digest(["--problem", "spot", "--scenarios", copy.path])
        #expect(copied == (try digest(["--problem", "spot", "--scenarios", original.path])))
        let last = bytes.lastIndex { $0 == UInt8(ascii: "}") }!
        bytes.insert(UInt8(ascii: " "), at: last)
        try bytes.write(to: copy)
        let changed = try digest(["--problem", "spot", "--scenarios", copy.path])
        #expect(changed != copied)
        let trace = try #require(try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
            .first { $0.hasPrefix("synthetic-") && (try? String(contentsOf: copy, encoding: .utf8))?.contains($0) == true })
        let traceURL = folder.appendingPathComponent(trace)
        try (try Data(contentsOf: traceURL) + Data(" ".utf8)).write(to: traceURL)
        #expect(try digest(["--problem", "spot", "--scenarios", copy.path]) != changed)
    }

    @Test func evalRefusesInputsOtherThanTheDigestNamed() throws {
        let template = try CandidateFixtures.template()
        let search = try digest(["--problem", "spot", "--inputs", "small"])
        let same = try CommandRunner.run(["eval", template.path, "--inputs", "small", "--expect-inputs", search, "--level", "cost_model", "--json"])
        #expect(same.status == 0, "\(same.stderr)")
        let expected = try digest(["--problem", "spot", "--inputs", "small", "--held-out"])
        let result = try CommandRunner.run(["eval", template.path, "--inputs", "small", "--expect-inputs", expected, "--json"])
        #expect(result.status == 3, "\(result.stderr)")
        #expect(result.stderr.contains(expected) && result.stderr.contains("traces generate"), "\(result.stderr)")
        #expect(result.stdout.isEmpty)
    }
}
