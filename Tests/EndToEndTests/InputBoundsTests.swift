import Foundation
import TestSupport
import Testing

/// Numbers out of their domain and strings with control characters: one escaped error line
/// and exit 2, before anything is allocated for them.
@Suite struct InputBoundsTests {
    /// A field holding a newline, NUL, CR and ESC.
    static let hostile = "a\nb\u{0}c\rd\u{1B}[31me"

    /// Exit 2, exactly one line (`error: …`), no raw control byte, and the given words.
    private func expectOneCleanLine(_ arguments: [String], mentions: [String] = [],
                                    sourceLocation: SourceLocation = #_sourceLocation) throws {
        var environment = ProcessInfo.processInfo.environment
        environment["SIM_CASCADE_CACHE"] = CandidateFixtures.cache.path
        let result = try CommandRunner.run(arguments, environment: environment)
        #expect(result.status == 2, "exit status for \(arguments): \(result.stderr)", sourceLocation: sourceLocation)
        let errors = result.stderr.split(separator: "\n").filter { !$0.hasPrefix("warning: ") && !$0.hasPrefix("note: ") }
        #expect(errors.count == 1 && errors[0].hasPrefix("error: "), "stderr: \(result.stderr)", sourceLocation: sourceLocation)
        let raw = result.stderr.utf8.filter { ($0 < 0x20 && $0 != 0x0A) || $0 == 0x7F }
        #expect(raw.isEmpty, "raw control bytes \(raw) in: \(result.stderr)", sourceLocation: sourceLocation)
        for word in mentions {
            #expect(result.stderr.contains(word), "'\(word)' not in: \(result.stderr)", sourceLocation: sourceLocation)
        }
    }

    private func write(_ object: Any, _ name: String = "input.json", in folder: URL? = nil) throws -> URL {
        let url = try (folder ?? TestPaths.temporaryDirectory()).appendingPathComponent(name)
        try JSONSerialization.data(withJSONObject: object).write(to: url)
        return url
    }

    // MARK: EPLB shape

    @Test func eplbShapesBeyondTheLimitsAreRefusedBeforeAnyAllocation() throws {
        let candidate = try CandidateFixtures.template("eplb")
        // Passed validation, then trapped in the wire encoder's UInt32(v) (a 63-line crash report).
        try expectOneCleanLine(["eval", candidate.path, "--problem", "eplb", "--nodes", "4294967296"], mentions: ["--nodes", "4294967296"])
        try expectOneCleanLine(["eval", candidate.path, "--problem", "eplb", "--groups", "4294967296"], mentions: ["--groups"])
        // Aborted allocating 34 GB; 23,040 took 13 s and 1.6 GB.
        try expectOneCleanLine(["simulate", "eplb", "--replicas", "4294967296"], mentions: ["--replicas", "4096"])
        try expectOneCleanLine(["simulate", "eplb", "--replicas", "23040"], mentions: ["--replicas"])
        try expectOneCleanLine(["simulate", "eplb", "--window", "0"], mentions: ["--window"])
        let huge = try write(["weight": [[1, 2, 3, 4]], "num_replicas": 1e9, "num_groups": 1, "num_nodes": 1, "num_gpus": 2])
        try expectOneCleanLine(["simulate", "eplb", "--input", huge.path], mentions: ["num_replicas", "[1, 4096]"])
    }

    @Test func eplbLoadsWhoseSumOverflowsAreRefusedInTextAndJSON() throws {
        let instance = try write(["weight": [[1e308, 1e308, 1, 1]], "num_replicas": 4, "num_groups": 1, "num_nodes": 1, "num_gpus": 2])
        // Text printed `balancedness -nan` and exited 0; --json exited 2 with an EncodingError.
        try expectOneCleanLine(["simulate", "eplb", "--input", instance.path], mentions: ["1e+300"])
        try expectOneCleanLine(["simulate", "eplb", "--input", instance.path, "--json"], mentions: ["1e+300"])
        // A finite sum so near the largest double that a score rounded to infinity (text printed `inf`).
        let edge = try write(["weight": [[1.7976931348623157e308, 1, 1, 1]], "num_replicas": 8, "num_groups": 1, "num_nodes": 1,
                              "num_gpus": 2])
        try expectOneCleanLine(["simulate", "eplb", "--input", edge.path], mentions: ["1e+300"])
        let history = try write(["load_history": [["logical_expert_load": [[1e308, 1]]], ["logical_expert_load": [[1e308, 1]]]],
                                 "num_replicas": 2, "num_groups": 1, "num_nodes": 1, "num_gpus": 1, "window": 1])
        try expectOneCleanLine(["simulate", "eplb", "--input", history.path], mentions: ["1e+300"])
    }

    // MARK: Prices, schedules, sizes, durations

    /// A copy of the committed multi-region search inputs with one price replaced.
    private func multiRegion(price: Double) throws -> URL {
        let folder = try TestPaths.temporaryDirectory()
        let source = TestPaths.repositoryRoot.appendingPathComponent("traces/spot-multi")
        try FileManager.default.copyItem(at: source.appendingPathComponent("search"), to: folder.appendingPathComponent("search"))
        let scenarios = folder.appendingPathComponent("scenarios.json")
        try FileManager.default.copyItem(at: source.appendingPathComponent("scenarios-small.json"), to: scenarios)
        let set = try JSONSerialization.jsonObject(with: Data(contentsOf: scenarios)) as! [String: Any]
        let first = (set["scenarios"] as! [[String: Any]])[0]
        let trace = folder.appendingPathComponent("search").appendingPathComponent((first["regions"] as! [String])[0])
            .appendingPathComponent("\((first["traces"] as! [Int])[0]).json")
        var file = try JSONSerialization.jsonObject(with: Data(contentsOf: trace)) as! [String: Any]
        var prices = file["prices"] as! [Double]
        prices[3] = price
        file["prices"] = prices
        try JSONSerialization.data(withJSONObject: file).write(to: trace)
        return scenarios
    }

    @Test func negativeAndHugePricesAreRefused() throws {
        // A negative price gave a negative cost and 1e308 an infinite one, both exit 0.
        for price in [-1.0, 1e308] {
            let scenarios = try multiRegion(price: price)
            try expectOneCleanLine(["simulate", "spot-multi", "--policy", "round-robin", "--scenarios", scenarios.path],
                                   mentions: ["prices[3]"])
        }
    }

    @Test func twoMultiRegionScenariosOfOneNameAreRefused() throws {
        let scenarios = try multiRegion(price: 1)
        var set = try JSONSerialization.jsonObject(with: Data(contentsOf: scenarios)) as! [String: Any]
        let rows = set["scenarios"] as! [[String: Any]]
        set["scenarios"] = rows + [rows[0]]
        try JSONSerialization.data(withJSONObject: set).write(to: scenarios)
        try expectOneCleanLine(["simulate", "spot-multi", "--policy", "round-robin", "--scenarios", scenarios.path], mentions: ["appears twice"])
    }

    /// A gate factor of 2^64 passed the check, and its threshold trapped in a Double → Int
    /// conversion when formatted (fuzz input 6306 of seed 14).
    @Test func aGateFactorBeyondItsDomainIsRefused() throws {
        let candidate = try CandidateFixtures.template("txn")
        let gates = try write(["gates": [["level": "coarse", "metric": "total_makespan", "factor": 18446744073709551616.0]]])
        try expectOneCleanLine(["eval", candidate.path, "--problem", "txn", "--gates", gates.path], mentions: ["factor"])
    }

    @Test func anEmptyScheduleIsRefused() throws {
        let workloads = TestPaths.repositoryRoot.appendingPathComponent("traces/txn/workloads-default.json").path
        let names = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: workloads))) as! [String: Any]
        // `{}` printed "total 0" and exited 0.
        try expectOneCleanLine(["simulate", "txn", "--workloads", workloads, "--schedule-file", try write([String: Any]()).path],
                               mentions: ["names no workload"])
        try expectOneCleanLine(["simulate", "txn", "--workloads", workloads, "--schedule-file",
                                try write([names.keys.sorted()[0]: [Int]()]).path], mentions: ["is empty"])
    }

    @Test func sizesAndDurationsAreCheckedBeforeTheirUse() throws {
        let candidate = try CandidateFixtures.template()
        // 2^44 MiB wrapped to a 64 MiB limit when shifted to bytes.
        try expectOneCleanLine(["eval", candidate.path, "--memory-mb", "17592186044480"], mentions: ["'17592186044480'"])
        try expectOneCleanLine(["eval", candidate.path, "--log-limit-kb", "9223372036854775807"], mentions: ["--log-limit-kb"])
        try expectOneCleanLine(["eval", candidate.path, "--memory-mb", "99999999999999999999"], mentions: ["--memory-mb"])
        // Below the minimum, a run "did not start" and exited 3 as if the machine could not sandbox.
        try expectOneCleanLine(["eval", candidate.path, "--timeout", "0.001"], mentions: ["--timeout", "0.05"])
        try expectOneCleanLine(["eval", candidate.path, "--timeout", "nan"], mentions: ["--timeout"])
        try expectOneCleanLine(["eval", candidate.path, "--budget", "fine=0.01"], mentions: ["0.05"])
        try expectOneCleanLine(["eval", candidate.path, "--compile-timeout", "inf"], mentions: ["--compile-timeout"])
    }

    // MARK: Strings with control characters, from every kind of input file

    @Test func controlCharactersFromInputFilesAreEscapedInTheOneLine() throws {
        let folder = try TestPaths.temporaryDirectory()
        let h = Self.hostile
        // A scenario's base_trace.
        let scenarios = try write(["name": "x", "gap_seconds": 600, "scenarios": [[
            "env": "e", "trace_id": 0, "base_trace": h, "start_tick": 0, "ticks": 10, "task_hours": 1,
            "deadline_hours": 2, "restart_overhead_hours": 0.1]]], "scenarios.json", in: folder)
        try expectOneCleanLine(["simulate", "spot", "--policy", "greedy", "--scenarios", scenarios.path], mentions: ["a\\nb", "\\rd\\u{1B}[31me"])
        // A multi-region scenario's region.
        let multi = try write(["name": "m", "task_hours": 1, "deadline_hours": 2, "restart_overhead_hours": 0.1, "trace_folder": "t",
                               "scenarios": [["name": "s", "regions": [h, h], "traces": [0]]]], "multi.json", in: folder)
        try expectOneCleanLine(["simulate", "spot-multi", "--policy", "round-robin", "--scenarios", multi.path])
        // A txn workload's name (with a bad operation to report), a transaction's name, a
        // schedule's workload name.
        try expectOneCleanLine(["simulate", "txn", "--workloads", try write([h: ["txn0": "q-1"]], "w1.json", in: folder).path],
                               mentions: ["a\\nb"])
        try expectOneCleanLine(["simulate", "txn", "--workloads", try write(["W": [h: "r-1 w-2"]], "w2.json", in: folder).path])
        let workloads = TestPaths.repositoryRoot.appendingPathComponent("traces/txn/workloads-default.json").path
        try expectOneCleanLine(["simulate", "txn", "--workloads", workloads, "--schedule-file",
                                try write([h: [0]], "s.json", in: folder).path], mentions: ["unknown workload"])
        // A policy name and an option value.
        try expectOneCleanLine(["simulate", "prefix", "--policy", h])
        try expectOneCleanLine(["eval", "--problem", h, "x.swift"])
        // A gates file's metric, a budget's level, a cascade_levels name.
        let candidate = try CandidateFixtures.template("txn")
        for gates: [String: Any] in [
            ["gates": [["level": "cost_model", "metric": h, "factor": 1]]],
            ["gates": [], "budgets": [["level": h, "wall_seconds": 1]]],
            ["gates": [], "cascade_levels": [h, "fine"]],
        ] {
            let file = try write(gates, "gates.json", in: folder)
            try expectOneCleanLine(["eval", candidate.path, "--problem", "txn", "--gates", file.path])
        }
        // An evolve config's key and selection feature.
        for config: [String: Any] in [[h: 1], ["selection": ["features": [h]]]] {
            let file = try write(config, "config.json", in: folder)
            try expectOneCleanLine(["evolve", "--problem", "txn", "--iterations", "1", "--no-rescore", "--config", file.path,
                                    "--run", folder.appendingPathComponent("run").path])
        }
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("run").path))
    }
}
