import Foundation
import Sim
import TestSupport
import Testing
import SimCore

/// Bad input is rejected with a `SimError` whose one-line message names the file or value.
@Suite struct SpotInputErrorTests {
    private func write(_ text: String, name: String, in folder: URL) throws -> URL {
        let url = folder.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
        return url
    }

    private func message(_ body: () throws -> Void) -> String? {
        do { try body() } catch let error as SimError { return error.description } catch { return "\(error)" }
        return nil
    }

    @Test func missingTraceNamesTheFile() {
        let m = message { _ = try SpotTrace.load(from: URL(fileURLWithPath: "/nonexistent/trace.json")) }
        #expect(m == "/nonexistent/trace.json: no such file")
    }

    @Test(arguments: [
        ("not json", "not valid JSON"),
        (#"{"data": [0, 1]}"#, "missing key 'metadata' at top level"),
        (#"{"metadata": {"gap_seconds": 600}, "data": [0, 2]}"#, "data[1] is 2, expected 0 or 1"),
        (#"{"metadata": {"gap_seconds": 0}, "data": [0]}"#, "gap_seconds must be between 0.001 and 604800 seconds"),
        (#"{"metadata": {"gap_seconds": 1e308}, "data": [0]}"#, "gap_seconds must be between 0.001 and 604800 seconds"),
        (#"{"metadata": {"gap_seconds": 600}, "data": [0, 1, 0.5]}"#, "data[2] is 0.5, expected 0 or 1"),
        (#"{"metadata": {"gap_seconds": 600}, "data": []}"#, "data is empty"),
        (#"{"metadata": {"gap_seconds": 600}, "data": ["a"]}"#, "expected Double at .data[0]"),
    ])
    func malformedTraceNamesFileAndProblem(contents: String, reason: String) throws {
        let folder = try TestPaths.temporaryDirectory()
        let url = try write(contents, name: "bad.json", in: folder)
        #expect(message { _ = try SpotTrace.load(from: url) } == "\(url.path): \(reason)")
    }

    @Test func windowOutsideTheTraceIsRejected() {
        let trace = SpotTrace(gapSeconds: 600, unavailable: [UInt8](repeating: 0, count: 100))
        #expect(message { _ = try trace.window(start: 90, ticks: 20, name: "t.json") }
                == "t.json: a window of 20 ticks from tick 90 does not fit in the trace's 100 ticks")
        #expect(message { _ = try trace.window(start: -1, ticks: 5, name: "t.json") }
                == "invalid start tick '-1': must be ≥ 0")
        #expect(message { _ = try trace.window(start: 0, ticks: 0, name: "t.json") }
                == "invalid window length '0': must be at least 1 tick")
        // Bounds that would overflow a sum are still reported, not trapped on.
        #expect(message { _ = try trace.window(start: Int.max, ticks: 5, name: "t.json") }?
            .hasSuffix("does not fit in the trace's 100 ticks") == true)
        #expect(message { _ = try trace.window(start: 5, ticks: Int.max, name: "t.json") }?
            .hasSuffix("does not fit in the trace's 100 ticks") == true)
    }

    @Test func impossibleJobIsRejected() {
        #expect(message { _ = try SpotJob(taskHours: 48, deadlineHours: 48.1, overheadHours: 0.2) }
                == "impossible job: task 48.0 h + restart overhead 0.2 h exceeds the deadline of 48.1 h")
        #expect(throws: SimError.self) { _ = try SpotJob(taskHours: -1, deadlineHours: 5, overheadHours: 0) }
        #expect(throws: SimError.self) { _ = try SpotJob(taskHours: .nan, deadlineHours: 5, overheadHours: 0) }
        #expect(message { _ = try SpotJob(taskHours: 48, deadlineHours: 1e300, overheadHours: 0) }
                == "invalid deadline hours '1e+300': must be a number between 0 and 100000")
    }

    @Test func windowTooShortForTheDeadlineIsRejected() throws {
        let job = try SpotJob(taskHours: 48, deadlineHours: 52, overheadHours: 0.2)
        #expect(message { try SpotSimulator.validate(windowTicks: 312, gapSeconds: 600, job: job, name: "w") }
                == "w: window of 312 ticks is too short; the deadline needs at least 313 ticks (ceil(deadline/gap) + 1)")
        #expect(message { try SpotSimulator.validate(windowTicks: 313, gapSeconds: 600, job: job, name: "w") } == nil)
    }

    @Test func unknownPolicyListsTheBuiltIns() {
        #expect(message { _ = try BuiltinSpotPolicy(named: "magic") }
                == "unknown policy 'magic' (built-in: greedy, uniform-progress, on-demand)")
    }

    @Test func scenarioFileProblemsNameTheFileAndRow() throws {
        let folder = try TestPaths.temporaryDirectory()
        _ = try write(#"{"metadata": {"gap_seconds": 600}, "data": [\#(Array(repeating: "0", count: 400).joined(separator: ","))]}"#,
                      name: "base/t.json", in: folder)
        func scenarioFile(_ row: String) throws -> URL {
            try write(#"{"name": "x", "gap_seconds": 600, "scenarios": [\#(row)]}"#, name: "s.json", in: folder)
        }
        let good = #"{"env": "t", "trace_id": 0, "base_trace": "base/t.json", "start_tick": 0, "ticks": 320, "task_hours": 48, "deadline_hours": 52, "restart_overhead_hours": 0.2}"#
        #expect(try SpotScenarioSet.load(from: scenarioFile(good)).scenarios.count == 1)

        let missingTrace = good.replacingOccurrences(of: "base/t.json", with: "base/none.json")
        let url = try scenarioFile(missingTrace)
        #expect(message { _ = try SpotScenarioSet.load(from: url) }?
            .hasPrefix("\(url.path): scenarios[0]: base trace ") == true)

        let outOfRange = good.replacingOccurrences(of: "\"start_tick\": 0", with: "\"start_tick\": 200")
        #expect(message { _ = try SpotScenarioSet.load(from: try scenarioFile(outOfRange)) }
                == "\(url.path): scenarios[0]: base/t.json: a window of 320 ticks from tick 200 does not fit in the trace's 400 ticks")

        let short = good.replacingOccurrences(of: "\"ticks\": 320", with: "\"ticks\": 300")
        #expect(message { _ = try SpotScenarioSet.load(from: try scenarioFile(short)) }?
            .hasPrefix("\(url.path): scenarios[0]: base/t.json: window of 300 ticks is too short") == true)

        let impossible = good.replacingOccurrences(of: "\"deadline_hours\": 52", with: "\"deadline_hours\": 40")
        #expect(message { _ = try SpotScenarioSet.load(from: try scenarioFile(impossible)) }
                == "\(url.path): scenarios[0]: impossible job: task 48.0 h + restart overhead 0.2 h exceeds the deadline of 40.0 h")

        _ = try write(#"{"metadata": {"gap_seconds": 600}, "data": [0, 1"#, name: "base/broken.json", in: folder)
        let brokenTrace = good.replacingOccurrences(of: "base/t.json", with: "base/broken.json")
        #expect(message { _ = try SpotScenarioSet.load(from: try scenarioFile(brokenTrace)) }
                == "\(url.path): scenarios[0]: base trace \(folder.appendingPathComponent("base/broken.json").path): not valid JSON")

        let noRows = try write(#"{"name": "x", "gap_seconds": 600, "scenarios": []}"#, name: "e.json", in: folder)
        #expect(message { _ = try SpotScenarioSet.load(from: noRows) } == "\(noRows.path): scenarios is empty")
    }

    @Test func absentReferenceDataNamesBothPlaces() {
        let m = message {
            _ = try ReferenceData.locate(environment: ["SIM_CASCADE_DATA": "/nonexistent/data"], searchStarts: [])
        }
        #expect(m?.contains("SIM_CASCADE_DATA") == true && m?.contains("../shared/data") == true)
        #expect(m?.contains("/nonexistent/data") == true)
    }
}
