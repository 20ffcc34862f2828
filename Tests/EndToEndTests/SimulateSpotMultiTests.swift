import Foundation
import TestSupport
import Testing

/// `sim-cascade simulate spot-multi` end to end: the published score, the output fields, bad input.
@Suite struct SimulateSpotMultiTests {
    @Test(.needsReferenceData) func theReferenceModelGivesThePublishedScoreWithEveryField() throws {
        let result = try CommandRunner.run(["simulate", "spot-multi", "--policy", "round-robin", "--scenarios",
                                            "scenarios-leaderboard-multi.json", "--model", "reference", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try result.json()
        #expect(json["mean_cost"] as? Double == 82.18692369213043 && json["deadline_misses"] as? Int == 0)
        let scenarios = json["scenarios"] as? [[String: Any]] ?? []
        #expect(scenarios.map { $0["name"] as? String ?? "" } == ["2_zones_same_region", "2_regions_east_west", "3_regions_diverse",
                                                                  "3_zones_same_region", "5_regions_high_diversity", "all_9_regions"])
        let runs = json["results"] as? [[String: Any]] ?? []
        #expect(runs.count == 34 && runs[0]["scenario"] as? String == "2_zones_same_region" && runs[0]["trace"] as? Int == 0)
        #expect(runs.allSatisfy { $0["cost"] is Double && $0["finish_hours"] is Double && $0["deadline_met"] as? Bool == true })
        let corrected = try CommandRunner.run(["simulate", "spot-multi", "--policy", "round-robin", "--scenarios",
                                               "scenarios-leaderboard-multi.json", "--json"])
        #expect(try corrected.json()["mean_cost"] as? Double == 81.76254696759312)
    }

    /// A scenario file over generated traces in a temporary folder.
    private func scenarioFile(_ folder: URL, regions: [(String, ticks: Int, gap: Double)], scenarioRegions: [String]? = nil,
                              traces: [Int] = [0]) throws -> URL {
        for (name, ticks, gap) in regions {
            let dir = folder.appendingPathComponent("t/\(name)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            let trace: [String: Any] = ["metadata": ["gap_seconds": gap], "data": Array(repeating: 0, count: ticks),
                                        "prices": Array(repeating: 1.0, count: ticks)]
            try JSONSerialization.data(withJSONObject: trace).write(to: dir.appendingPathComponent("0.json"))
        }
        let file: [String: Any] = ["name": "t", "task_hours": 10, "deadline_hours": 12, "restart_overhead_hours": 0.2, "trace_folder": "t",
                                   "scenarios": [["name": "s", "regions": scenarioRegions ?? regions.map(\.0), "traces": traces]]]
        let url = folder.appendingPathComponent("scenarios.json")
        try JSONSerialization.data(withJSONObject: file).write(to: url)
        return url
    }

    @Test func badScenarioFilesAreOneLineAndExitTwo() throws {
        let folder = try TestPaths.temporaryDirectory()
        // 12 h at 600 s a tick needs ceil(72) + 1 = 73 ticks.
        let cases: [(URL, String)] = [
            (try scenarioFile(folder.appendingPathComponent("a"), regions: [("r1", 100, 600), ("r2", 100, 300)]), "gap_seconds"),
            (try scenarioFile(folder.appendingPathComponent("b"), regions: [("r1", 100, 600), ("r2", 90, 600)]), "has 90 ticks"),
            (try scenarioFile(folder.appendingPathComponent("c"), regions: [("r1", 50, 600)]), "needs at least 73"),
            (try scenarioFile(folder.appendingPathComponent("d"), regions: [("r1", 100, 600)], scenarioRegions: ["r1", "r9"]), "does not exist"),
            (try scenarioFile(folder.appendingPathComponent("e"), regions: [("r1", 100, 600)], traces: []), "has no traces"),
            (try scenarioFile(folder.appendingPathComponent("f"), regions: [("r1", 100, 600)], scenarioRegions: []), "has no regions"),
        ]
        for (url, mention) in cases {
            let result = try CommandRunner.run(["simulate", "spot-multi", "--policy", "round-robin", "--scenarios", url.path])
            #expect(result.status == 2, "\(mention): \(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1 && result.stderr.contains(mention), "\(result.stderr)")
        }
        let good = try scenarioFile(folder.appendingPathComponent("g"), regions: [("r1", 100, 600)])
        #expect(try CommandRunner.run(["simulate", "spot-multi", "--policy", "round-robin", "--scenarios", good.path]).status == 0)
        for arguments in [["--model", "exact"], ["--policy", "greedy"], ["--model", "reference", "--migration-overhead-hours", "1"]] {
            let result = try CommandRunner.run(["simulate", "spot-multi", "--scenarios", good.path] + (arguments.contains("--policy") ? [] : ["--policy", "round-robin"]) + arguments)
            #expect(result.status == 2 && result.stderr.split(separator: "\n").count == 1, "\(arguments): \(result.stderr)")
        }
    }
}
