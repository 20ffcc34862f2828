import Foundation
import TestSupport
import Testing

/// Bad input: one error line on stderr, exit status 2, never a stack trace.
@Suite struct BadInputTests {
    static let job = ["--task-hours", "48", "--deadline-hours", "52", "--overhead-hours", "0.2"]

    private func expectBadInput(_ arguments: [String], mentions: [String],
                                sourceLocation: SourceLocation = #_sourceLocation) throws {
        let result = try CommandRunner.run(arguments)
        #expect(result.status == 2, "exit status for \(arguments)", sourceLocation: sourceLocation)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1, "stderr: \(result.stderr)", sourceLocation: sourceLocation)
        #expect(result.stderr.hasPrefix("error: "), sourceLocation: sourceLocation)
        for word in mentions {
            #expect(result.stderr.contains(word), "'\(word)' not in: \(result.stderr)", sourceLocation: sourceLocation)
        }
        #expect(result.stdout.isEmpty, sourceLocation: sourceLocation)
    }

    private func temporaryFile(_ contents: String) throws -> URL {
        let url = try TestPaths.temporaryDirectory().appendingPathComponent("input.json")
        try Data(contents.utf8).write(to: url)
        return url
    }

    /// A setting is refused where it does not apply: by the problems that do not take it, and by
    /// an EPLB calibration (which cuts each history at its own window).
    @Test func aSettingWhereItDoesNotApply() throws {
        let candidate = try temporaryFile("")
        try expectBadInput(["eval", candidate.path, "--problem", "txn", "--window", "3"], mentions: ["--problem eplb", "--window"])
        try expectBadInput(["calibrate", "--problem", "eplb", "--window", "3", "--out", candidate.deletingLastPathComponent().path],
                           mentions: ["--window", "calibrate"])
    }

    @Test func missingTraceFile() throws {
        try expectBadInput(["simulate", "spot", "--policy", "greedy", "--trace", "nope.json"] + Self.job,
                           mentions: ["nope.json", "no such file"])
    }

    @Test func malformedTraceFile() throws {
        let url = try temporaryFile(#"{"metadata": {"gap_seconds": 600}, "data": [0, 7]}"#)
        try expectBadInput(["simulate", "spot", "--policy", "greedy", "--trace", url.path] + Self.job,
                           mentions: [url.path, "data[1] is 7"])
        let notJSON = try temporaryFile("{{{")
        try expectBadInput(["simulate", "spot", "--policy", "greedy", "--trace", notJSON.path] + Self.job,
                           mentions: [notJSON.path, "not valid JSON"])
    }

    @Test func missingAndMalformedScenarioFile() throws {
        try expectBadInput(["simulate", "spot", "--policy", "greedy", "--scenarios", "missing.json"],
                           mentions: ["missing.json", "no such file"])
        let url = try temporaryFile(#"{"name": "x", "gap_seconds": 600}"#)
        try expectBadInput(["simulate", "spot", "--policy", "greedy", "--scenarios", url.path],
                           mentions: [url.path, "missing key 'scenarios'"])
    }

    @Test(.needsReferenceData) func windowOutOfRange() throws {
        try expectBadInput(["simulate", "spot", "--policy", "greedy", "--trace", "base/us-west-2b_v100_1.json",
                            "--start-tick", "1500", "--ticks", "554"] + Self.job,
                           mentions: ["us-west-2b_v100_1.json", "a window of 554 ticks from tick 1500", "1781 ticks"])
        // Values whose sums overflow are reported, not trapped on.
        try expectBadInput(["simulate", "spot", "--policy", "greedy", "--trace", "base/us-west-2b_v100_1.json",
                            "--start-tick", "9223372036854775807", "--ticks", "5"] + Self.job,
                           mentions: ["does not fit"])
        try expectBadInput(["simulate", "spot", "--policy", "greedy", "--trace", "base/us-west-2b_v100_1.json",
                            "--ticks", "9223372036854775807"] + Self.job,
                           mentions: ["does not fit"])
        try expectBadInput(["simulate", "spot", "--policy", "greedy", "--trace", "base/us-west-2b_v100_1.json",
                            "--start-tick", "5000"] + Self.job,
                           mentions: ["from tick 5000"])
    }

    @Test(.needsReferenceData) func windowTooShort() throws {
        try expectBadInput(["simulate", "spot", "--policy", "greedy", "--trace", "base/us-west-2b_v100_1.json",
                            "--start-tick", "0", "--ticks", "100"] + Self.job,
                           mentions: ["too short", "313"])
    }

    @Test(.needsReferenceData) func impossibleJob() throws {
        try expectBadInput(["simulate", "spot", "--policy", "greedy", "--trace", "base/us-west-2b_v100_1.json",
                            "--task-hours", "48", "--deadline-hours", "48", "--overhead-hours", "0.2"],
                           mentions: ["impossible job", "48.0 h"])
    }

    @Test(.needsReferenceData) func absurdJobValues() throws {
        try expectBadInput(["simulate", "spot", "--policy", "greedy", "--trace", "base/us-west-2b_v100_1.json",
                            "--task-hours", "48", "--deadline-hours", "1e300", "--overhead-hours", "0"],
                           mentions: ["deadline hours", "1e+300"])
        try expectBadInput(["simulate", "spot", "--policy", "greedy", "--trace", "base/us-west-2b_v100_1.json",
                            "--task-hours", "nan", "--deadline-hours", "52", "--overhead-hours", "0"],
                           mentions: ["task hours"])
    }

    @Test func windowOptionsWithoutATrace() throws {
        try expectBadInput(["simulate", "spot", "--policy", "greedy", "--history"], mentions: ["--trace", "--history"])
        try expectBadInput(["simulate", "spot", "--policy", "greedy", "--task-hours", "3"], mentions: ["--trace"])
        try expectBadInput(["compare", "spot", "--policies", ","], mentions: ["--policies"])
    }

    @Test func unknownPolicy() throws {
        try expectBadInput(["simulate", "spot", "--policy", "clairvoyant"],
                           mentions: ["clairvoyant", "greedy, uniform-progress, on-demand"])
    }

    @Test func missingJobOptionsAndUnknownOptions() throws {
        try expectBadInput(["simulate", "spot", "--policy", "greedy", "--trace", "base/us-west-2b_v100_1.json"],
                           mentions: ["--task-hours", "--deadline-hours", "--overhead-hours"])
        try expectBadInput(["simulate", "spot", "--policy", "greedy", "--frobnicate"], mentions: ["--frobnicate"])
        try expectBadInput(["simulate", "spot", "--policy", "greedy", "--ticks", "many"], mentions: ["many"])
        try expectBadInput(["bench", "--runs", "2"], mentions: ["--runs", "5…1000"])
        try expectBadInput(["bench", "--runs", "1000000000"], mentions: ["--runs", "5…1000"])
    }

    @Test func helpIsNotAnError() throws {
        let result = try CommandRunner.run(["simulate", "spot", "--help"])
        #expect(result.status == 0 && result.stdout.contains("--policy"))
    }
}

/// `eval` and `init` bad input: one line, exit status 2.
@Suite struct EvalBadInputTests {
    private func expectBadInput(_ arguments: [String], mentions: String) throws {
        let result = try CommandRunner.run(arguments)
        #expect(result.status == 2, "\(arguments): \(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1 && result.stderr.contains(mentions), "\(result.stderr)")
    }

    @Test func missingCandidateFile() throws {
        try expectBadInput(["eval", "/nonexistent/candidate.swift"], mentions: "/nonexistent/candidate.swift")
    }

    @Test func unknownProblem() throws {
        try expectBadInput(["eval", "README.md", "--problem", "tsp"], mentions: "'tsp' is invalid for '--problem <problem>'")
        try expectBadInput(["init", "tsp"], mentions: "'tsp' is invalid for '<problem>'")
    }

    @Test func unreadableScenarioFile() throws {
        try expectBadInput(["eval", "README.md", "--scenarios", "/nonexistent/s.json"], mentions: "/nonexistent/s.json")
    }

    @Test func badBudgets() throws {
        try expectBadInput(["eval", "README.md", "--timeout", "0"], mentions: "--timeout")
        try expectBadInput(["eval", "README.md", "--memory-mb", "1"], mentions: "--memory-mb")
        // Values whose shift to bytes would wrap: named back as given, never as a wrapped one.
        try expectBadInput(["eval", "README.md", "--memory-mb", "17592186044480"], mentions: "'17592186044480'")
        try expectBadInput(["eval", "README.md", "--log-limit-kb", "9007199254740992"], mentions: "'9007199254740992'")
        try expectBadInput(["eval", "README.md", "--log-limit-kb", "0"], mentions: "--log-limit-kb")
    }
}
