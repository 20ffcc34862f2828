import CandidateAPI
@testable import Cascade
import Foundation
import Sim
import Testing

/// `EvalReport`'s JSON, built from outcomes in process (no compile, no sandbox): the problem's
/// score fields beside the common ones, snake_case keys throughout, and no score when invalid.
@Suite struct EvalReportTests {
    static let workloads = [NamedTxnWorkload(
        name: "W", workload: TxnWorkload(transactions: [[TxnOp(kind: .write, key: 0)], [TxnOp(kind: .read, key: 0)]], keyCount: 1),
        keyNames: ["k"])]
    static let inputs = CandidateInputs(TxnProblem(), LoadedInputs(workloads, label: "w.json"))

    static func outcome(score: CandidateScore?, failure: CandidateFailure?) -> EvaluationOutcome {
        var stage = StageReport(level: "fine", status: failure == nil ? .passed : .failed, metrics: ["total_makespan": 2],
                                reference: nil, gate: nil, threshold: nil, seconds: 0.5, failure: failure, artifacts: ["note"], log: "")
        stage.items = (1, 1)
        return EvaluationOutcome(problem: .txn, score: score, failure: failure, compileSeconds: 1.5, compileCached: false,
                                 runSeconds: 0.5, sandbox: .namespaces, log: "", stages: [stage], rejectedAt: failure == nil ? nil : "fine")
    }

    static func json(_ report: EvalReport) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: JSONEncoder().encode(report)) as! [String: Any]
    }

    /// Every key of `value`, recursively, except the keys of `workloads` (workload names).
    static func keys(_ value: Any, skipping: Set<String> = ["workloads"]) -> [String] {
        if let object = value as? [String: Any] {
            return object.flatMap { key, inner in [key] + (skipping.contains(key) ? [] : keys(inner)) }
        }
        return (value as? [Any])?.flatMap { keys($0) } ?? []
    }

    @Test func aValidOutcomeCarriesItsProblemsFieldsInSnakeCase() throws {
        let score = TxnWorkloadScore(name: "W", makespan: 2, schedule: [0, 1], runtimeSeconds: 0.001)
        let json = try Self.json(EvalReport(candidate: "c.swift", inputs: Self.inputs,
                                            outcome: Self.outcome(score: CandidateScore([score]), failure: nil)))
        #expect(json["valid"] as? Bool == true && json["problem"] as? String == "txn" && json["inputs"] as? String == "w.json")
        #expect(json["total_makespan"] as? Int == 2)
        #expect(((json["workloads"] as? [String: Any])?["W"] as? [String: Any])?["transactions"] as? Int == 2)
        #expect(json["workload_notes"] as? [String] == ["note"])
        #expect((json["timing"] as? [String: Any])?["compile_seconds"] as? Double == 1.5)
        #expect(((json["stages"] as? [[String: Any]])?.first)?["items_run"] as? Int == 1)
        let camel = Self.keys(json).filter { $0.contains(where: \.isUppercase) }
        #expect(camel.isEmpty, "camelCase keys: \(camel)")
    }

    @Test func aFailedOutcomeHasAFailureAndNoScore() throws {
        let json = try Self.json(EvalReport(candidate: "c.swift", inputs: Self.inputs,
                                            outcome: Self.outcome(score: nil, failure: CandidateFailure(.crash, "signal 11"))))
        #expect(json["valid"] as? Bool == false && json["rejected_at"] as? String == "fine")
        #expect((json["failure"] as? [String: Any])?["kind"] as? String == "crash")
        #expect(json["total_makespan"] == nil && json["workloads"] == nil)
    }

    @Test func simulateTxnsReportNamesItsFieldsInSnakeCase() throws {
        let report = TxnOrdersReport(policy: "identity", file: URL(fileURLWithPath: "/w.json"),
                                     orders: [(Self.workloads[0], [0, 1])], runtimeSeconds: 0.25, fromScheduleFile: false)
        let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(report)) as! [String: Any]
        #expect(Set(json.keys) == ["policy", "file", "workloads", "total_makespan", "runtime_seconds", "engine", "total_execution_makespan"])
        let entry = try #require((json["workloads"] as? [String: [String: Any]])?.values.first)
        #expect(Set(entry.keys) == ["makespan", "schedule", "transactions", "execution_makespan"])
        #expect(json["total_makespan"] as? Int == report.totalMakespan && report.totalMakespan > 0)
        #expect(report.text.contains("identity on w.json") && report.text.contains("total"))
    }
}
