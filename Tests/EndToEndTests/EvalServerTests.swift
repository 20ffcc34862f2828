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
        let lines = [try request([template.path] + common), try request([template.path, "--level", "coarse"] + common),
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
            // Everything of each stage but its seconds.
            func stages(_ value: Any?) throws -> String {
                try canonical(((value as? [[String: Any]]) ?? []).map { $0.filter { $0.key != "seconds" } })
            }
            #expect(try stages(report["stages"]) == (try stages(once["stages"])) && (once["stages"] as? [Any])?.isEmpty == false)
        }
        let coarse = try #require(answers[1]["report"] as? [String: Any])
        #expect((coarse["score"] as? [String: Any])?["level"] as? String == "coarse")
        #expect(answers[2]["status"] as? Int == 2 && (answers[2]["error"] as? String)?.contains("no such file") == true)
        #expect(answers[3]["status"] as? Int == 2)
        #expect(answers[4]["status"] as? Int == 3 && (answers[4]["error"] as? String)?.contains("0000") == true)
    }

    /// Sorted-key JSON: the same value whichever process encoded it.
    func canonical(_ value: Any?) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: value ?? NSNull(), options: [.sortedKeys, .fragmentsAllowed]),
               as: UTF8.self)
    }
}
