import Foundation
import TestSupport
import Testing

/// `eval-server` (what a scale-out worker runs): per request line, in order, the `eval --json`
/// report without per-item results — the same verdict, stages and score as a one-shot `eval` —
/// or the error and exit status `eval` would have ended with; a bad line does not end it.
@Suite struct EvalServerTests {
    @Test func answersAsEvalWouldInOrder() throws {
        let template = try CandidateFixtures.template()
        let common = ["--inputs", "small", "--no-public-evaluator"]
        func request(_ args: [String]) throws -> String {
            String(decoding: try JSONSerialization.data(withJSONObject: ["args": args]), as: UTF8.self)
        }
        // The first request numbered: its answer carries the number.
        let numbered = String(decoding: try JSONSerialization.data(withJSONObject: ["args": [template.path] + common, "id": 7]), as: UTF8.self)
        let lines = [numbered, try request([template.path, "--level", "coarse"] + common),
                     try request(["/nonexistent/candidate.swift"]), "not json",
                     try request([template.path, "--expect-inputs", "0000"] + common), try request([template.path] + common)]
        let result = try CommandRunner.run(["eval-server"], input: lines.joined(separator: "\n") + "\n")
        #expect(result.status == 0, "\(result.stderr)")
        let answers = try result.stdout.split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        try #require(answers.count == 6, "\(result.stdout)")
        let once = try CandidateFixtures.eval(template, common).json()
        for index in [0, 5] {
            let report = try #require(answers[index]["report"] as? [String: Any], "\(answers[index])")
            #expect(report["valid"] as? Bool == true && report["results"] == nil && report["log"] == nil)
            #expect(try canonical(report["score"]) == (try canonical(once["score"])))
            for key in ["valid", "problem", "inputs", "rejected_at", "failure", "build_id", "sandbox"] {
                #expect(try canonical(report[key]) == (try canonical(once[key])), "\(key)")
            }
            // Everything of each stage but its seconds.
            func stages(_ value: Any?) throws -> String {
                try canonical(((value as? [[String: Any]]) ?? []).map { $0.filter { $0.key != "seconds" } })
            }
            #expect(try stages(report["stages"]) == (try stages(once["stages"])) && (once["stages"] as? [Any])?.isEmpty == false)
        }
        #expect(answers[0]["id"] as? Int == 7 && answers[1]["id"] == nil)
        let coarse = try #require(answers[1]["report"] as? [String: Any])
        #expect((coarse["score"] as? [String: Any])?["level"] as? String == "coarse")
        #expect(answers[2]["status"] as? Int == 2 && (answers[2]["error"] as? String)?.contains("no such file") == true)
        #expect(answers[3]["status"] as? Int == 2)
        #expect(answers[4]["status"] as? Int == 3 && (answers[4]["error"] as? String)?.contains("0000") == true)
    }

    @Test func refusesUnsandboxedRunsAndAnswersBlankLines() throws {
        let template = try CandidateFixtures.template()
        let request = String(decoding: try JSONSerialization.data(withJSONObject: ["args": [template.path, "--unsafe-no-sandbox"]]),
                             as: UTF8.self)
        let result = try CommandRunner.run(["eval-server"], input: "\n" + request + "\n")
        let answers = result.stdout.split(separator: "\n")
        try #require(answers.count == 2, "\(result.stdout)")
        #expect(answers[0].contains("\"status\":2") && answers[1].contains("\"status\":2") && answers[1].contains("unsafe"))
    }

    /// A file written between two requests is loaded again: the second request's digest names
    /// the new bytes, and its score is a one-shot eval's on them.
    @Test func inputsWrittenSinceAreLoadedAgain() throws {
        let template = try CandidateFixtures.template()
        let folder = try TestPaths.copyOfSpotTraces()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("scenarios-small.json")
        let original = try Data(contentsOf: file)
        var set = try #require(try JSONSerialization.jsonObject(with: original) as? [String: Any])
        let scenarios = try #require(set["scenarios"] as? [Any])
        set["scenarios"] = Array(scenarios.prefix(scenarios.count / 2))
        let half = try JSONSerialization.data(withJSONObject: set)
        func digest() throws -> String {
            try CommandRunner.run(["traces", "digest", "--scenarios", file.path]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let before = try digest()
        let common = [template.path, "--scenarios", file.path, "--no-public-evaluator", "--level", "coarse"]

        // One server, two requests, the file rewritten between them.
        let server = Process()
        server.executableURL = CommandRunner.executable
        server.arguments = ["eval-server"]
        var environment = ProcessInfo.processInfo.environment
        environment["SIM_CASCADE_CACHE"] = CandidateFixtures.cache.path
        server.environment = environment
        let input = Pipe(), output = Pipe()
        server.standardInput = input
        server.standardOutput = output
        try server.run()
        defer { if server.isRunning { server.terminate() }; server.waitUntilExit() }
        var pending = Data()
        func ask(_ args: [String]) throws -> [String: Any] {
            try input.fileHandleForWriting.write(contentsOf: try JSONSerialization.data(withJSONObject: ["args": args]) + Data("\n".utf8))
            while !pending.contains(UInt8(ascii: "\n")) {
                let chunk = output.fileHandleForReading.availableData
                try #require(!chunk.isEmpty, "the server ended")
                pending.append(chunk)
            }
            let end = pending.firstIndex(of: UInt8(ascii: "\n"))!
            let line = pending[..<end]
            pending.removeSubrange(...end)
            return try #require(try JSONSerialization.jsonObject(with: line) as? [String: Any])
        }
        let first = try #require(try ask(common + ["--expect-inputs", before])["report"] as? [String: Any])
        try half.write(to: file)
        let after = try digest()
        #expect(after != before)
        let second = try #require(try ask(common + ["--expect-inputs", after])["report"] as? [String: Any], "refused its own new inputs")
        // The old digest no longer names what the server has.
        #expect(try ask(common + ["--expect-inputs", before])["status"] as? Int == 3)
        try input.fileHandleForWriting.close()
        let once = try CandidateFixtures.eval(URL(fileURLWithPath: template.path), Array(common.dropFirst())).json()
        #expect(try canonical(second["score"]) == (try canonical(once["score"])))
        #expect(try canonical(first["score"]) != (try canonical(second["score"])))
    }

    /// Sorted-key JSON: the same value whichever process encoded it.
    func canonical(_ value: Any?) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: value ?? NSNull(), options: [.sortedKeys, .fragmentsAllowed]),
               as: UTF8.self)
    }
}
