import Foundation
import TestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Untrusted candidates through `sim-cascade eval`: every way to fail is reported with its kind,
/// never with a score, and leaves no process behind; escape attempts are checked from outside.
///
/// | fixture              | expected outcome                                          |
/// |----------------------|-----------------------------------------------------------|
/// | compile_error        | compile_error, with swiftc's file:line diagnostic         |
/// | missing_candidate    | compile_error: cannot find 'Candidate'                    |
/// | wrong_conformance    | compile_error: must conform to SpotPolicy                 |
/// | trap_index           | crash (SIGILL)                                            |
/// | fatal_error          | crash, with the fatalError message                        |
/// | busy_loop            | timeout                                                   |
/// | sleep_forever        | timeout                                                   |
/// | memory_bomb          | memory (cgroup OOM kill); crash without the cgroup        |
/// | fake_oom_abort       | crash: printing the allocation-failure line is not memory |
/// | intercept_write      | crash (exit 125), never "the sandbox did not start"      |
/// | link_flag_injection  | compile_error: autolink entries that are not `-lNAME`     |
/// | deplibs_section      | compile_error: a `.deplibs` section                       |
/// | program_header_flood | compile_error: an executable the kernel would not start   |
/// | multi_region_wrap    | invalid_answer: a region beyond Int32, never truncated    |
/// | dup_answer_pipe      | invalid_answer at once (no one else holds the pipe)       |
/// | spawn_shell          | crash; the shell never ran (no marker file)               |
/// | fake_json            | invalid_answer; the fake result appears only in `log`     |
/// | forged_answer        | invalid_answer (decision 9)                               |
/// | out_of_range         | invalid_answer (decision 7)                               |
/// | close_protocol       | invalid_answer (protocol closed early)                    |
/// | log_flood            | output_limit                                              |
/// | spot_or_nothing      | deadline_miss (on the default set)                        |
/// | eplb_wrong_shape     | invalid_answer: wrong number of slots                     |
/// | eplb_out_of_range    | invalid_answer: expert index out of range                 |
/// | eplb_zero_replicas   | invalid_answer: an expert with no replica                 |
/// | prefix_drop_cell     | invalid_answer: a row's field order is no permutation     |
/// | prefix_missing_rows  | invalid_answer: not one field order per row               |
/// | prefix_bad_row_order | invalid_answer: the row order is no permutation           |
/// | txn_duplicate        | invalid_answer: a transaction scheduled twice             |
/// | txn_partial          | invalid_answer: not a permutation of all transactions     |
/// | txn_out_of_range     | invalid_answer: index out of range                        |
@Suite(.serialized) struct CandidateSandboxTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var fixture: String
        var kind: String
        var messageContains: String
        var options: [String] = []
        var testDescription: String { fixture }
    }

    static let small = ["--scenarios", CandidateFixtures.smallScenarioSet.path, "--timeout", "3", "--memory-mb", "256"]

    static let cases: [Case] = [
        Case(fixture: "compile_error", kind: "compile_error", messageContains: "candidate.swift:7:5: error:"),
        Case(fixture: "missing_candidate", kind: "compile_error", messageContains: "'Candidate' in scope"),
        Case(fixture: "wrong_conformance", kind: "compile_error", messageContains: "conform to 'SpotPolicy'"),
        // The host library and the wire codec are linked into every candidate, never importable.
        Case(fixture: "import_host", kind: "compile_error", messageContains: "no such module 'CandidateHost'"),
        Case(fixture: "import_wire", kind: "compile_error", messageContains: "no such module 'CandidateWire'"),
        Case(fixture: "trap_index", kind: "crash", messageContains: "SIGILL"),
        Case(fixture: "fatal_error", kind: "crash", messageContains: "candidate gave up at tick 3"),
        Case(fixture: "busy_loop", kind: "timeout", messageContains: "wall-clock limit of 3.0 s"),
        Case(fixture: "sleep_forever", kind: "timeout", messageContains: "wall-clock limit"),
        Case(fixture: "fake_json", kind: "invalid_answer", messageContains: "closed the protocol"),
        // The forged frame holds one decision of value 9: invalid whether the first batch asked
        // for one decision or for more.
        Case(fixture: "forged_answer", kind: "invalid_answer", messageContains: "decision"),
        Case(fixture: "out_of_range", kind: "invalid_answer", messageContains: "decision 7 is not a cluster type"),
        Case(fixture: "close_protocol", kind: "invalid_answer", messageContains: "closed the protocol"),
        Case(fixture: "fake_oom_abort", kind: "crash", messageContains: "SIGABRT"),
        // Its `write` answers the harness's hello with the launcher's words and exits 125: the
        // candidate's crash, not an environment failure (which would stop evolve).
        Case(fixture: "intercept_write", kind: "crash", messageContains: "exited with status 125"),
        // Linker arguments and dependent libraries written into the object by the source: the
        // object is refused between the compile and the link.
        Case(fixture: "link_flag_injection", kind: "compile_error", messageContains: "which is not a library name"),
        Case(fixture: "deplibs_section", kind: "compile_error", messageContains: "dependent libraries"),
        Case(fixture: "program_header_flood", kind: "compile_error", messageContains: "program headers"),
        Case(fixture: "multi_region_wrap", kind: "invalid_answer", messageContains: "region -2147483648 is not one of the run's regions",
             options: ["--problem", "spot-multi"]),
        // A 30 s budget: waiting for it would be `timeout`.
        Case(fixture: "dup_answer_pipe", kind: "invalid_answer", messageContains: "closed the protocol",
             options: ["--scenarios", CandidateFixtures.smallScenarioSet.path, "--timeout", "30"]),
        Case(fixture: "log_flood", kind: "output_limit", messageContains: "more than"),
        Case(fixture: "spot_or_nothing", kind: "deadline_miss", messageContains: "finished after their deadline",
             options: ["--timeout", "30"]),
        Case(fixture: "eplb_wrong_shape", kind: "invalid_answer", messageContains: "expected 288", options: ["--problem", "eplb"]),
        Case(fixture: "eplb_out_of_range", kind: "invalid_answer", messageContains: "not in 0..<256", options: ["--problem", "eplb"]),
        Case(fixture: "eplb_zero_replicas", kind: "invalid_answer", messageContains: "has no replica", options: ["--problem", "eplb"]),
        Case(fixture: "prefix_drop_cell", kind: "invalid_answer", messageContains: "is not a permutation", options: ["--problem", "prefix"]),
        Case(fixture: "prefix_missing_rows", kind: "invalid_answer", messageContains: "expected one per row", options: ["--problem", "prefix"]),
        Case(fixture: "prefix_bad_row_order", kind: "invalid_answer", messageContains: "row order", options: ["--problem", "prefix"]),
        Case(fixture: "txn_duplicate", kind: "invalid_answer", messageContains: "appears twice", options: ["--problem", "txn"]),
        Case(fixture: "txn_partial", kind: "invalid_answer", messageContains: "a permutation of all is required", options: ["--problem", "txn"]),
        Case(fixture: "txn_out_of_range", kind: "invalid_answer", messageContains: "is not in 0..<", options: ["--problem", "txn"]),
    ]

    @Test(arguments: cases)
    func failingCandidateIsReportedWithItsKind(_ c: Case) throws {
        let result = try CandidateFixtures.eval(try CandidateFixtures.materialize(c.fixture),
                                                c.options.isEmpty ? Self.small : c.options)
        #expect(result.status == 0, "\(result.stderr)")
        let json = try result.json()
        #expect(json["valid"] as? Bool == false)
        for scoreField in ["mean_cost", "std_cost", "results", "mean_balancedness_gpu", "phr", "hit_chars", "tables",
                           "total_makespan", "workloads"] {
            #expect(json[scoreField] == nil, "\(scoreField) reported for an invalid candidate")
        }
        let failure = try #require(json["failure"] as? [String: Any])
        #expect(failure["kind"] as? String == c.kind)
        // A failure inside a stage names the stage; a compile error happens before any stage.
        #expect((json["rejected_at"] is String) == (c.kind != "compile_error"), "rejected_at: \(json["rejected_at"] ?? "")")
        let message = failure["message"] as? String ?? ""
        #expect(message.contains(c.messageContains), "message: \(message)")
        #expect(result.sandboxUIDs?.processes() == [], "sandbox processes left behind")
    }

    @Test func nothingOutlivesTheEvaluationAndTheNextOneRuns() throws {
        let result = try CandidateFixtures.eval(try CandidateFixtures.materialize("survive_setsid"), Self.small)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.sandboxUIDs?.processes() == [], "sandbox processes outlived eval")
        let next = try CandidateFixtures.eval(try CandidateFixtures.template(), Self.small)
        #expect(try next.json()["valid"] as? Bool == true)
    }

    @Test func cleanupFollowsNoSymlinkOfTheCandidate() throws {
        let victim = try TestPaths.temporaryDirectory()
        try "keep".write(to: victim.appendingPathComponent("precious"), atomically: true, encoding: .utf8)
        chmod(victim.path, 0o700)
        let result = try CandidateFixtures.eval(try CandidateFixtures.materialize("symlink_race", ["__VICTIM__": victim.path]),
                                                Self.small)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(FileManager.default.fileExists(atPath: victim.appendingPathComponent("precious").path))
        #expect(FileManager.default.fileExists(atPath: "/etc/passwd"))
    }

    @Test func scratchSpaceIsCappedAndNotOnTheHost() throws {
        let result = try CandidateFixtures.eval(try CandidateFixtures.materialize("disk_fill"), Self.small)
        let log = try result.json()["log"] as? String ?? ""
        let written = Int(log.split(separator: " ").dropFirst().first ?? "") ?? -1
        #expect(written >= 0 && written <= 64, "wrote \(written) MiB: \(log)")
    }

    @Test func floodingTheAnswerPipeNeitherStallsNorScores() throws {
        let start = Date()
        let result = try CandidateFixtures.eval(try CandidateFixtures.materialize("answer_flood"), Self.small)
        let json = try result.json()
        #expect(json["valid"] as? Bool == false)
        #expect((json["failure"] as? [String: Any])?["kind"] as? String == "invalid_answer")
        #expect(Date().timeIntervalSince(start) < 10)
        #expect(result.sandboxUIDs?.processes() == [])
    }

    @Test func claimingToBeOutOfMemoryIsNotAMemoryFailure() throws {
        let result = try CandidateFixtures.eval(try CandidateFixtures.materialize("fake_oom"), Self.small)
        let failure = try #require(try result.json()["failure"] as? [String: Any])
        #expect(failure["kind"] as? String == "invalid_answer")
    }

    @Test func candidateOutputCannotForgeTheTextReport() throws {
        var environment = ProcessInfo.processInfo.environment
        environment["SIM_CASCADE_CACHE"] = CandidateFixtures.cache.path
        let result = try CommandRunner.run(["eval", try CandidateFixtures.materialize("forge_text").path] + Self.small,
                                           environment: environment)
        #expect(result.stdout.contains("valid: false"))
        #expect(!result.stdout.contains("\u{1B}") && !result.stdout.contains("\r"))
        let lines = result.stdout.split(separator: "\n")
        #expect(!lines.contains { $0.hasPrefix("mean_cost") || $0.hasPrefix("valid: true") })
    }

    @Test func fakeResultOnStdoutOnlyReachesTheLog() throws {
        let result = try CandidateFixtures.eval(try CandidateFixtures.materialize("fake_json"), Self.small)
        let json = try result.json()
        #expect(json["valid"] as? Bool == false && json["mean_cost"] == nil)
        #expect((json["log"] as? String ?? "").contains(#""mean_cost": 0.0"#))
    }

    @Test func shellSpawnedByTheCandidateNeverRuns() throws {
        let marker = FileManager.default.temporaryDirectory.appendingPathComponent("sim-cascade-marker-\(UUID().uuidString)")
        let result = try CandidateFixtures.eval(try CandidateFixtures.materialize("spawn_shell", ["__MARKER__": marker.path]),
                                                Self.small)
        #expect(try result.json()["valid"] as? Bool == false)
        #expect(!FileManager.default.fileExists(atPath: marker.path))
        #expect(result.sandboxUIDs?.processes() == [])
    }

    @Test func writesOutsideTheSandboxDoNotLand() throws {
        let name = "sim-cascade-marker-\(UUID().uuidString)"
        let marker = FileManager.default.temporaryDirectory.appendingPathComponent(name)
        let result = try CandidateFixtures.eval(
            try CandidateFixtures.materialize("write_marker", ["__MARKER__": marker.path, "__MARKER_NAME__": name]), Self.small)
        #expect(result.status == 0)
        for path in [marker.path, "/\(name)", "/tmp/\(name)"] {
            #expect(!FileManager.default.fileExists(atPath: path), "\(path) was written")
        }
    }

    @Test(.needsReferenceData) func secretsAndReferenceDataCannotBeRead() throws {
        let secretText = "sim-cascade-secret-\(UUID().uuidString)"
        let secret = TestPaths.repositoryRoot.appendingPathComponent(".test-secret-\(UUID().uuidString)")
        try secretText.write(to: secret, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: secret) }
        let dataFile = try TestPaths.spotSingleRegion().appendingPathComponent("base/us-west-2a_k80_1.json")
        let dataPrefix = String(try String(contentsOf: dataFile, encoding: .utf8).prefix(60))

        let candidate = try CandidateFixtures.materialize("read_secret", ["__SECRET__": secret.path, "__DATA__": dataFile.path])
        let result = try CandidateFixtures.eval(candidate, Self.small)
        let json = try result.json()
        #expect(!result.stdout.contains(secretText) && !result.stderr.contains(secretText))
        #expect(!result.stdout.contains(dataPrefix))
        // Decisions would encode what it read; reading nothing, it runs on demand every tick (and
        // is stopped by a cost gate, which does not matter here).
        #expect((json["failure"] as? [String: Any])?["kind"] as? String != "crash")
        let log = json["log"] as? String ?? ""
        #expect(log.contains("cannot open \(secret.path)") && log.contains("cannot open \(dataFile.path)"))
        #expect(log.contains("cannot open /etc/passwd"))
    }

    @Test func loopbackListenerReceivesNoConnection() throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(listener) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer -> Bool in
                bind(listener, pointer, length) == 0 && listen(listener, 8) == 0
                    && getsockname(listener, pointer, &length) == 0
            }
        }
        try #require(bound)
        let port = UInt16(bigEndian: address.sin_port)
        _ = fcntl(listener, F_SETFL, fcntl(listener, F_GETFL) | O_NONBLOCK)

        let result = try CandidateFixtures.eval(try CandidateFixtures.materialize("connect_loopback", ["__PORT__": "\(port)"]),
                                                Self.small)
        #expect(result.status == 0)
        #expect((try result.json()["log"] as? String ?? "").contains("connect returned -1"))
        let accepted = accept(listener, nil, nil)
        #expect(accepted < 0, "a connection arrived from the sandbox")
        if accepted >= 0 { close(accepted) }
    }

    @Test func parentCannotBeSignalledOrInspected() throws {
        let me = getpid()
        let result = try CandidateFixtures.eval(try CandidateFixtures.materialize("signal_parent", ["__PARENT__": "\(me)"]),
                                                Self.small)
        // This process and the evaluator survived and reported normally.
        #expect(result.status == 0)
        let log = try result.json()["log"] as? String ?? ""
        #expect(log.contains("open /proc/\(me)/mem: -1") && log.contains("open /proc/\(me)/environ: -1"))
    }

    @Test(.needsReferenceData) func reimplementedGreedyMatchesTheBuiltInExactly() throws {
        let scenarios = try TestPaths.spotSingleRegion().appendingPathComponent("scenarios-adrs-1080.json").path
        let builtIn = try CommandRunner.run(["simulate", "spot", "--policy", "greedy", "--scenarios", scenarios, "--json"])
        let expected = try #require(try builtIn.json()["results"] as? [[String: Any]]).map { $0["cost"] as? Double }
        for candidate in [try CandidateFixtures.materialize("greedy"), try CandidateFixtures.template()] {
            let result = try CandidateFixtures.eval(candidate, ["--scenarios", scenarios])
            let json = try result.json()
            #expect(json["valid"] as? Bool == true, "\(json["failure"] ?? "")")
            let costs = try #require(json["results"] as? [[String: Any]]).map { $0["cost"] as? Double }
            #expect(costs == expected)
            #expect(json["mean_cost"] as? Double == (try builtIn.json()["mean_cost"] as? Double))
        }
    }

    @Test(.needsReferenceData) func templatesReproduceTheBuiltInBaselines() throws {
        // eplb: DeepSeek's README example.
        let eplb = try CandidateFixtures.eval(try CandidateFixtures.template("eplb"),
                                              ["--problem", "eplb", "--input", "eplb/deepseek_readme_example.json"]).json()
        #expect(eplb["valid"] as? Bool == true, "\(eplb["failure"] ?? "")")
        #expect(abs((eplb["balancedness_gpu"] as? Double ?? 0) - 0.8155737704918032) < 1e-15)
        let example = try JSONSerialization.jsonObject(with: Data(contentsOf: try TestPaths.referenceData()
            .appendingPathComponent("eplb/deepseek_readme_example.json"))) as! [String: Any]
        #expect(eplb["phy2log"] as? [[Int]] == example["expected_phy2log"] as? [[Int]])
        // txn: the built-in smf with seed 0, on the public workloads.
        let txn = try CandidateFixtures.eval(try CandidateFixtures.template("txn"), ["--problem", "txn", "--input", "txn/workloads.json"]).json()
        let smf = try CommandRunner.run(["simulate", "txn", "--workloads", "txn/workloads.json", "--policy", "smf", "--json"]).json()
        #expect(txn["valid"] as? Bool == true && txn["total_makespan"] as? Int == smf["total_makespan"] as? Int)
        // prefix: the built-in ggr, on the small tables the eval runs on.
        let prefix = try CandidateFixtures.eval(try CandidateFixtures.template("prefix"), ["--problem", "prefix"]).json()
        let ours = (prefix["tables"] as? [[String: Any]])?.map { $0["hit_chars"] as? Int }
        let builtIn = try TestPaths.smallPrefixTablesUnderGGR()
        #expect(ours != nil && ours == builtIn)
    }

    @Test func secondEvaluationOfTheSameSourceCompilesNothing() throws {
        let candidate = try CandidateFixtures.template()
        _ = try CandidateFixtures.eval(candidate, Self.small)
        let again = try CandidateFixtures.eval(candidate, Self.small)
        let timing = try #require(try again.json()["timing"] as? [String: Any])
        #expect(timing["compile_cached"] as? Bool == true)
    }

    /// Two evaluations of one new source at once compile it once: the second waits on the
    /// key's lock and takes the first one's executable (one cache slot, not two).
    @Test func concurrentCompilesOfOneSourceShareOneResult() throws {
        let folder = try TestPaths.temporaryDirectory()
        let cache = folder.appendingPathComponent("cache")
        let candidate = try CandidateFixtures.template()
        var source = try String(contentsOf: candidate, encoding: .utf8)
        source += "\n// \(UUID().uuidString)\n"  // a source no other test compiled
        try source.write(to: candidate, atomically: true, encoding: .utf8)
        let results = runTogether { _ in
            var mine = ProcessInfo.processInfo.environment
            mine["SIM_CASCADE_CACHE"] = cache.path
            mine["SIM_CASCADE_SANDBOX_UIDS"] = SandboxUIDs().description
            return try CommandRunner.run(["eval", candidate.path, "--json"] + Self.small, environment: mine)
        }.compactMap { $0 }
        #expect(results.count == 2 && results.allSatisfy { $0.status == 0 }, "\(results.map(\.stderr))")
        let cached = try results.map { try #require(($0.json()["timing"] as? [String: Any])?["compile_cached"] as? Bool) }
        #expect(cached.sorted { !$0 && $1 } == [false, true])
        let entries = try FileManager.default.contentsOfDirectory(atPath: cache.appendingPathComponent("candidates").path)
        #expect(entries.filter { !$0.hasSuffix(".lock") }.count == 1, "\(entries)")
    }

    @Test func benchMeasuresCompileAndSandboxedEvaluation() throws {
        var environment = ProcessInfo.processInfo.environment
        environment["SIM_CASCADE_CACHE"] = CandidateFixtures.cache.path
        let uids = SandboxUIDs()
        environment["SIM_CASCADE_SANDBOX_UIDS"] = uids.description
        let result = try CommandRunner.run(["bench", "--runs", "5", "--json"], environment: environment)
        #expect(result.status == 0, "\(result.stderr)")
        let rows = try #require(try result.json()["benchmarks"] as? [[String: Any]])
        let names = rows.compactMap { $0["workload"] as? String }
        #expect(names.contains { $0.hasPrefix("candidate compile, spot template") })
        // The sandboxed template computes exactly the built-in greedy's mean: the published
        // 96.5154 on adrs-1080, and on the research search set whatever `simulate spot` says.
        let sandboxed = try #require(rows.first { ($0["workload"] as? String ?? "").hasPrefix("spot search-spot greedy template") })
        let builtIn = try CommandRunner.run(["simulate", "spot", "--policy", "greedy", "--json"])
        #expect(sandboxed["mean_cost"] as? Double == (try builtIn.json()["mean_cost"] as? Double))
        if TestPaths.hasReferenceData {
            let adrs = try #require(rows.first { ($0["workload"] as? String ?? "").hasPrefix("spot adrs-1080 greedy template") })
            #expect(abs((adrs["mean_cost"] as? Double ?? 0) - 96.5154) < 5e-5)
        }
        #expect(uids.processes() == [])
    }
}
