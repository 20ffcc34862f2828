import Foundation
import TestSupport
import Testing

/// The `simulate spot` command-line contract.
@Suite struct SimulateSpotTests {
    @Test(.needsReferenceData) func singleWindowReportsTheReferenceCost() throws {
        for (policy, cost) in [("greedy", 144.7462), ("uniform-progress", 127.7716)] {
            let result = try CommandRunner.run([
                "simulate", "spot", "--policy", policy, "--trace", "base/us-west-2b_v100_1.json",
                "--start-tick", "684", "--ticks", "554", "--task-hours", "48", "--deadline-hours", "52",
                "--overhead-hours", "0.2", "--json",
            ])
            #expect(result.status == 0, "\(result.stderr)")
            let json = try result.json()
            #expect(abs((json["cost"] as? Double ?? 0) - cost) < 5e-5)
            #expect(json["deadline_met"] as? Bool == true)
            let ticks = try #require(json["ticks"] as? Int)
            #expect(json["finish_hours"] as? Double == Double(ticks - 1) * 600 / 3600)
        }
    }

    @Test(.needsReferenceData) func scenarioSetReportsMeanStdMissesAndEveryResult() throws {
        let result = try CommandRunner.run(["simulate", "spot", "--policy", "uniform-progress",
                                            "--scenarios", "scenarios-adrs-1080.json", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try result.json()
        #expect(abs((json["mean_cost"] as? Double ?? 0) - 92.0643) < 5e-5)
        #expect(json["deadline_misses"] as? Int == 0)
        let rows = try #require(json["results"] as? [[String: Any]])
        #expect(rows.count == 1080)
        let costs = rows.compactMap { $0["cost"] as? Double }
        let mean = costs.reduce(0, +) / Double(costs.count)
        let std = (costs.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(costs.count)).squareRoot()
        #expect(abs((json["std_cost"] as? Double ?? 0) - std) < 1e-9)
    }

    @Test func defaultSetAndTablesWork() throws {
        let table = try CommandRunner.run(["simulate", "spot", "--policy", "greedy"])
        #expect(table.status == 0 && table.stdout.contains("search-spot") && table.stdout.contains("mean cost"))
        let compare = try CommandRunner.run(["compare", "spot", "--json"])
        #expect(compare.status == 0)
        let policies = try #require(try compare.json()["policies"] as? [[String: Any]])
        #expect(policies.map { $0["policy"] as? String } == ["uniform-progress", "greedy"])
    }

    @Test(.needsReferenceData) func historyListsEveryTick() throws {
        let result = try CommandRunner.run([
            "simulate", "spot", "--policy", "greedy", "--trace", "base/us-west-2b_v100_1.json",
            "--start-tick", "684", "--ticks", "554", "--task-hours", "48", "--deadline-hours", "52",
            "--overhead-hours", "0.2", "--json", "--history",
        ])
        let json = try result.json()
        let rows = try #require(json["history"] as? [[String: Any]])
        #expect(rows.count == json["ticks"] as? Int)
    }

    @Test func benchReportsEveryWorkload() throws {
        // Candidate workloads run in CandidateSandboxTests, which must not overlap other sandboxes.
        let result = try CommandRunner.run(["bench", "--runs", "5", "--json", "--skip-candidates"])
        #expect(result.status == 0, "\(result.stderr)")
        let rows = try #require(try result.json()["benchmarks"] as? [[String: Any]])
        let names = rows.compactMap { $0["workload"] as? String }
        // Without the reference data the bench falls back to the default set.
        #expect(names.contains(TestPaths.hasReferenceData ? "spot adrs-1080 uniform-progress" : "spot search-spot uniform-progress"))
        #expect(rows.allSatisfy { ($0["median_ms"] as? Double ?? -1) > 0 })
    }

    @Test func committedTracesMatchTheirManifest() throws {
        let result = try CommandRunner.run(["traces", "generate", "--check"])
        #expect(result.status == 0, "\(result.stdout)")
    }
}
