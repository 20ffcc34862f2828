import Foundation
import TestSupport
import Testing

@Suite struct SimulateEPLBTests {
    @Test(.needsReferenceData) func instanceReportsThePlacementAndItsBalance() throws {
        let result = try CommandRunner.run(["simulate", "eplb", "--policy", "deepseek", "--input",
                                            "eplb/deepseek_readme_example.json", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try result.json()
        let expected = try JSONSerialization.jsonObject(with: Data(contentsOf: try TestPaths.referenceData()
            .appendingPathComponent("eplb/deepseek_readme_example.json"))) as! [String: Any]
        #expect(json["phy2log"] as? [[Int]] == expected["expected_phy2log"] as? [[Int]])
        // (The printed digits are exact; Foundation's JSONSerialization reads them back with an
        // error in the last place, hence the tolerance. SimTests compare exactly.)
        #expect(abs((json["balancedness_gpu"] as? Double ?? 0) - 0.8155737704918032) < 1e-15)
        #expect(abs((json["balancedness_slot"] as? Double ?? 0) - 0.5505533199195171) < 1e-15)
        #expect((json["logcnt"] as? [[Int]])?.first?.reduce(0, +) == 16)
        #expect((json["log2phy"] as? [[[Int]]])?.first?.first?.count == 2)
        #expect((json["runtime_seconds"] as? Double ?? -1) >= 0)
    }

    @Test(.needsReferenceData) func historyScoresEachPlacementOnTheNextWindow() throws {
        let result = try CommandRunner.run(["simulate", "eplb", "--input", "eplb/sample_load_history.json",
                                            "--replicas", "20", "--groups", "4", "--nodes", "2", "--gpus", "4", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try result.json()
        #expect(json["windows"] as? Int == 3)
        let scored = try #require(json["scored"] as? [[String: Any]])
        #expect(scored.count == 2)
        let mean = scored.compactMap { $0["balancedness_gpu"] as? Double }.reduce(0, +) / 2
        #expect(abs((json["mean_balancedness_gpu"] as? Double ?? 0) - mean) < 1e-15)
        #expect(json["mean_balancedness_slot"] is Double && json["mean_runtime_seconds"] is Double)
    }

    @Test func defaultHistoryNamesItsOwnShape() throws {
        let result = try CommandRunner.run(["simulate", "eplb", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try result.json()["windows"] as? Int == 60)  // the research-scale history: 60 records of 100 steps
    }

    @Test func badInputIsOneLineAndExitTwo() throws {
        let folder = try TestPaths.temporaryDirectory()
        let ragged = folder.appendingPathComponent("ragged.json")
        try Data(#"{"weight": [[1, 2], [3]], "num_replicas": 4, "num_groups": 1, "num_nodes": 1, "num_gpus": 2}"#.utf8)
            .write(to: ragged)
        let broken = folder.appendingPathComponent("broken.json")
        try Data("{".utf8).write(to: broken)
        for (arguments, mention) in ([
            (["simulate", "eplb", "--input", "eplb/deepseek_readme_example.json", "--gpus", "3"], "multiple of the 3 GPUs"),
            (["simulate", "eplb", "--input", ragged.path], "every layer needs 2 experts"),
            (["simulate", "eplb", "--input", broken.path], "not valid JSON"),
            (["simulate", "eplb", "--input", "eplb/sample_load_history.json"], "--replicas"),
            (["simulate", "eplb", "--input", "eplb/sample_load_history.json", "--replicas", "20", "--groups", "4",
              "--nodes", "2", "--gpus", "4", "--window", "200"], "need 2"),
            (["simulate", "eplb", "--policy", "random"], "unknown policy 'random'"),
        // Cases that read the reference data run only where it is present.
        ] as [([String], String)]).filter({ TestPaths.hasReferenceData || !$0.0.contains { $0.hasPrefix("eplb/") } }) {
            let result = try CommandRunner.run(arguments)
            #expect(result.status == 2, "\(arguments): \(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1 && result.stderr.contains(mention), "\(result.stderr)")
        }
    }
}
