import Foundation
import TestSupport
import Testing

@Suite struct SimulateTxnTests {
    @Test(.needsReferenceData) func identityOnThePublicWorkloads() throws {
        let result = try CommandRunner.run(["simulate", "txn", "--workloads", "txn/workloads.json", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try result.json()
        #expect(json["total_makespan"] as? Int == 537)
        let w1 = try #require((json["workloads"] as? [String: Any])?["WORKLOAD_1"] as? [String: Any])
        #expect(w1["makespan"] as? Int == 452)
        #expect(w1["schedule"] as? [Int] == Array(0..<100))
    }

    @Test(.needsReferenceData) func scheduleFileEvaluatesPartialOrders() throws {
        let url = try TestPaths.temporaryDirectory().appendingPathComponent("s.json")
        try Data(#"{"WORKLOAD_1": [2, 3]}"#.utf8).write(to: url)
        let result = try CommandRunner.run(["simulate", "txn", "--workloads", "txn/workloads.json",
                                            "--schedule-file", url.path, "--json"])
        let json = try result.json()
        #expect(json["total_makespan"] as? Int == 18)
        #expect((json["workloads"] as? [String: Any])?.keys.sorted() == ["WORKLOAD_1"])
    }

    @Test func smfIsSeededAndDefaultSetWorks() throws {
        let a = try CommandRunner.run(["simulate", "txn", "--policy", "smf", "--seed", "3", "--json"]).json()
        let b = try CommandRunner.run(["simulate", "txn", "--policy", "smf", "--seed", "3", "--json"]).json()
        #expect(a["total_makespan"] as? Int == b["total_makespan"] as? Int)
        #expect((a["workloads"] as? [String: Any])?.count == 20)  // traces/txn/manifest.json
    }

    @Test func badInputIsOneLineAndExitTwo() throws {
        let folder = try TestPaths.temporaryDirectory()
        let badOp = folder.appendingPathComponent("bad.json")
        try Data(#"{"W": {"txn0": "q-1 r-2"}}"#.utf8).write(to: badOp)
        let dup = folder.appendingPathComponent("dup.json")
        try Data(#"{"WORKLOAD_1": [1, 1]}"#.utf8).write(to: dup)
        let unknown = folder.appendingPathComponent("unknown.json")
        try Data(#"{"NOPE": [1]}"#.utf8).write(to: unknown)
        for (arguments, mention) in ([
            (["simulate", "txn", "--workloads", badOp.path], "q-1"),
            (["simulate", "txn", "--workloads", "txn/workloads.json", "--schedule-file", dup.path], "appears twice"),
            (["simulate", "txn", "--workloads", "txn/workloads.json", "--schedule-file", unknown.path], "unknown workload 'NOPE'"),
            (["simulate", "txn", "--workloads", "missing.json"], "missing.json"),
            (["simulate", "txn", "--policy", "magic"], "unknown policy 'magic'"),
            (["simulate", "txn", "--workloads", "txn/workloads.json", "--policy", "smf", "--schedule-file", dup.path],
             "--policy and --schedule-file"),
        // Cases that read the reference data run only where it is present.
        ] as [([String], String)]).filter({ TestPaths.hasReferenceData || !$0.0.contains { $0.hasPrefix("txn/") } }) {
            let result = try CommandRunner.run(arguments)
            #expect(result.status == 2, "\(arguments)")
            #expect(result.stderr.split(separator: "\n").count == 1 && result.stderr.contains(mention), "\(result.stderr)")
        }
    }
}
