import CandidateAPI
import Foundation
import Sim
import TestSupport
import Testing

/// The single-region simulator against values produced by the reference simulator.
@Suite struct SpotReferenceTests {
    private func window0(_ env: String, deadline: Double, overhead: Double) throws -> (ArraySlice<UInt8>, SpotJob) {
        let trace = try SpotTrace.load(from: TestPaths.spotSingleRegion().appendingPathComponent("base/\(env).json"))
        return (try trace.window(start: 684, ticks: 554, name: env),
                try SpotJob(taskHours: 48, deadlineHours: deadline, overheadHours: overhead))
    }

    @Test(.needsReferenceData) func window0CostsMatchTheIssue() throws {
        let (window, job) = try window0("us-west-2b_v100_1", deadline: 52, overhead: 0.2)
        let greedy = BuiltinSpotPolicy.greedy.run(window: window, gapSeconds: 600, job: job)
        let uniform = BuiltinSpotPolicy.uniformProgress.run(window: window, gapSeconds: 600, job: job)
        // The reference values are given to 4 decimals.
        #expect(abs(greedy.cost - 144.7462) < 5e-5)
        #expect(abs(uniform.cost - 127.7716) < 5e-5)
        #expect(greedy.deadlineMet && uniform.deadlineMet)
    }

    struct History: Decodable {
        struct Run: Decodable {
            var policy: String
            var base_trace: String
            var start_tick: Int
            var ticks: Int
            var task_hours: Double
            var deadline_hours: Double
            var restart_overhead_hours: Double
            var cost: Double
            var rows: [Row]
        }
        /// `[tick, last, cost_so_far, work_seconds, rro_seconds]`.
        struct Row: Decodable {
            var tick: Int, last: String, cost: Double, work: Double, rro: Double
            init(from decoder: Decoder) throws {
                var c = try decoder.unkeyedContainer()
                tick = try c.decode(Int.self)
                last = try c.decode(String.self)
                cost = try c.decode(Double.self)
                work = try c.decode(Double.self)
                rro = try c.decode(Double.self)
            }
        }
        var runs: [Run]
    }

    @Test(.needsReferenceData) func everyTickOfTheReferenceHistoriesMatches() throws {
        let folder = try TestPaths.spotSingleRegion()
        let history = try JSONDecoder().decode(
            History.self, from: Data(contentsOf: folder.appendingPathComponent("tick-histories.json")))
        #expect(history.runs.count == 4)
        let names: [Cluster: String] = [.none: "NONE", .spot: "SPOT", .onDemand: "ON_DEMAND"]
        for run in history.runs {
            let trace = try SpotTrace.load(from: folder.appendingPathComponent(run.base_trace))
            let window = try trace.window(start: run.start_tick, ticks: run.ticks, name: run.base_trace)
            let job = try SpotJob(taskHours: run.task_hours, deadlineHours: run.deadline_hours,
                                  overheadHours: run.restart_overhead_hours)
            var rows: [SpotTickRecord] = []
            let result = try BuiltinSpotPolicy(named: run.policy)
                .run(window: window, gapSeconds: trace.gapSeconds, job: job, record: { rows.append($0) })
            #expect(rows.count == run.rows.count, "\(run.policy) \(run.base_trace)")
            for (ours, theirs) in zip(rows, run.rows) {
                let context = Comment(rawValue: "\(run.policy) \(run.base_trace) tick \(theirs.tick)")
                #expect(ours.tick == theirs.tick, context)
                #expect(names[ours.last] == theirs.last, context)
                #expect(abs(ours.costSoFar - theirs.cost) <= 1e-6, context)
                #expect(abs(ours.workSeconds - theirs.work) <= 1e-6, context)
                #expect(abs(ours.remainingOverheadSeconds - theirs.rro) <= 1e-6, context)
            }
            #expect(abs(result.cost - run.cost) <= 1e-6, "\(run.policy) \(run.base_trace)")
        }
    }

    @Test(.needsReferenceData, arguments: [
        ("scenarios-adrs-1080.json", BuiltinSpotPolicy.greedy, 96.5154),
        ("scenarios-adrs-1080.json", .uniformProgress, 92.0643),
        ("scenarios-adrs-1080.json", .onDemand, 147.9000),
        ("scenarios-leaderboard-1080.json", .greedy, 119.0345),
        ("scenarios-leaderboard-1080.json", .uniformProgress, 101.6827),
        ("scenarios-leaderboard-1080.json", .onDemand, 147.3900),
    ])
    func scenarioSetMeansMatchTheReference(file: String, policy: BuiltinSpotPolicy, mean: Double) throws {
        let set = try SpotScenarioSet.load(from: TestPaths.spotSingleRegion().appendingPathComponent(file))
        #expect(set.scenarios.count == 1080)
        let outcome = policy.run(set)
        #expect(abs(outcome.meanCost - mean) < 5e-5)
        #expect(outcome.deadlineMisses == 0)
    }
}
