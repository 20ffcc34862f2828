import CandidateAPI
import Sim
import Testing

/// A policy that always asks for the same cluster, to probe the simulator's own rules.
private struct Always<Choice: ClusterChoice>: SpotPolicy {
    mutating func decide(_ view: SpotView) -> Cluster { Choice.cluster }
}
private protocol ClusterChoice { static var cluster: Cluster { get } }
private enum SpotChoice: ClusterChoice { static let cluster = Cluster.spot }
private enum NoneChoice: ClusterChoice { static let cluster = Cluster.none }

/// Nothing at tick 0, spot afterwards.
private struct LateSpot: SpotPolicy {
    mutating func decide(_ view: SpotView) -> Cluster { view.tick == 0 ? .none : .spot }
}

/// Records every view it is shown.
private struct Recorder: SpotPolicy {
    nonisolated(unsafe) static var views: [SpotView] = []
    mutating func decide(_ view: SpotView) -> Cluster {
        Recorder.views.append(view)
        return view.hasSpot ? .spot : .none
    }
}

private func run<P: SpotPolicy>(_ type: P.Type, _ window: [UInt8], task: Double, deadline: Double,
                                overhead: Double, gap: Double = 3600) throws -> (SpotRunResult, [SpotTickRecord]) {
    var policy = P()
    var rows: [SpotTickRecord] = []
    let job = try SpotJob(taskHours: task, deadlineHours: deadline, overheadHours: overhead)
    let result = SpotSimulator.run(window: window[...], gapSeconds: gap, job: job, policy: &policy,
                                   record: { rows.append($0) })
    return (result, rows)
}

@Suite struct SpotSimulatorTests {
    @Test func spotAllTheWayBillsEveryWorkingTickInFull() throws {
        // 1-hour ticks, 3 h of work, no overhead: ticks 0..2 run spot, the work is credited at
        // ticks 1..3, so the run ends at tick 3 with 3 spot ticks billed.
        let (result, _) = try run(Always<SpotChoice>.self, [UInt8](repeating: 0, count: 12),
                                  task: 3, deadline: 10, overhead: 0)
        #expect(result.endTick == 3 && result.finished && result.deadlineMet)
        #expect(result.spotTicks == 3 && result.onDemandTicks == 0)
        #expect(abs(result.cost - 3 * 0.9731) < 1e-12)
    }

    @Test func partOfTheLastTickIsStillBilledInFull() throws {
        // 2.5 h of work: the third tick is only half needed but billed whole.
        let (result, _) = try run(Always<SpotChoice>.self, [UInt8](repeating: 0, count: 12),
                                  task: 2.5, deadline: 10, overhead: 0)
        #expect(result.endTick == 3 && result.spotTicks == 3)
    }

    @Test func restartOverheadIsBilledButUnproductive() throws {
        // d = 0.5 h: the first tick yields 0.5 h of work.
        let (_, rows) = try run(Always<SpotChoice>.self, [UInt8](repeating: 0, count: 12),
                                task: 2, deadline: 10, overhead: 0.5)
        #expect(rows[0].remainingOverheadSeconds == 1800)
        #expect(rows[1].workSeconds == 1800 && rows[1].remainingOverheadSeconds == 0)
        #expect(rows[2].workSeconds == 5400)
    }

    @Test func spotIsNeverRunWhileUnavailable() throws {
        // Spot unavailable at ticks 1 and 2: the simulator turns the policy's SPOT into NONE, and
        // the preempted instance pays the overhead again when it restarts.
        let window: [UInt8] = [0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]
        let (result, rows) = try run(Always<SpotChoice>.self, window, task: 2, deadline: 10, overhead: 0.25)
        #expect(rows[1].decision == .none && rows[2].decision == .none)
        #expect(rows[1].last == .spot && rows[2].last == .none)
        // Tick 0 ran spot (0.75 h of work), preempted at tick 1 — that work is kept.
        #expect(rows[1].workSeconds == 2700)
        #expect(rows[3].decision == .spot && rows[3].remainingOverheadSeconds == 900)
        #expect(result.finished)
    }

    @Test func theDeadlineGuaranteeOverridesThePolicy() throws {
        // A policy that never runs anything is forced on demand once the slack runs out.
        let (result, rows) = try run(Always<NoneChoice>.self, [UInt8](repeating: 1, count: 12),
                                     task: 3, deadline: 6, overhead: 0.5)
        #expect(result.finished && result.deadlineMet)
        let firstForced = try #require(rows.firstIndex { $0.decision == .onDemand })
        // remaining 3 h + d 0.5 h → 4 ticks ≥ floor(6 − t) ticks left first holds at t = 2.
        #expect(firstForced == 2)
        #expect(result.onDemandTicks == 4 && result.spotTicks == 0)
    }

    @Test func theGuaranteeTestsTheTypeBeforePreemption() throws {
        // 1 h ticks, T = 1.5 h, deadline 4 h, d = 0.5 h; spot runs at tick 1 and is preempted at
        // tick 2, exactly when the guarantee triggers. The reference tests `last` (SPOT, overhead
        // paid) and so keeps SPOT, which the safety rule turns into NONE: a tick is lost and the
        // job finishes at 5 h, late. (Testing the current type would go on demand at tick 2 and
        // finish at 4 h.)
        let window: [UInt8] = [0, 0, 1, 1, 1, 1, 1, 1]
        let (result, rows) = try run(LateSpot.self, window, task: 1.5, deadline: 4, overhead: 0.5)
        // (At tick 5 the work is done; the policy's SPOT meets no spot and becomes NONE.)
        #expect(rows.map(\.decision) == [.none, .spot, .none, .onDemand, .onDemand, .none])
        #expect(result.endTick == 5 && result.finished && !result.deadlineMet)
    }

    @Test func aTinyLeftoverOverheadIsDropped() throws {
        // d = 600.0005 s on 600 s ticks leaves 0.0005 s of overhead after one tick; below 1e-3 it
        // is dropped, so the next tick is fully productive and the job ends one tick earlier.
        let job = try SpotJob(taskHours: 1200 / 3600, deadlineHours: 10, overheadHours: 600.0005 / 3600)
        var policy = Always<SpotChoice>()
        var rows: [SpotTickRecord] = []
        let result = SpotSimulator.run(window: [UInt8](repeating: 0, count: 80)[...], gapSeconds: 600, job: job,
                                       policy: &policy, record: { rows.append($0) })
        #expect(rows[1].remainingOverheadSeconds == 0 && rows[2].workSeconds == 600)
        #expect(result.endTick == 3)
    }

    @Test func aRunThatReachesTheWindowsEndIsADeadlineMiss() throws {
        // Window exactly ceil(deadline/gap) + 1 ticks and a job that needs all of it plus one.
        let job = try SpotJob(taskHours: 5, deadlineHours: 5, overheadHours: 0)
        var policy = Always<NoneChoice>()
        let result = SpotSimulator.run(window: [UInt8](repeating: 1, count: 3)[...], gapSeconds: 3600,
                                       job: job, policy: &policy)
        #expect(!result.finished && !result.deadlineMet && result.endTick == 2)
    }

    @Test func thePolicySeesThePastButNotTheFuture() throws {
        Recorder.views = []
        let window: [UInt8] = [0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0]
        _ = try run(Recorder.self, window, task: 2, deadline: 10, overhead: 0)
        for view in Recorder.views {
            #expect(view.history.count == view.tick + 1)
            #expect(Array(view.history) == window[0...view.tick].map { $0 == 0 })
            #expect(view.hasSpot == (window[view.tick] == 0))
            #expect(view.elapsed == Double(view.tick) * 3600)
        }
        #expect(Recorder.views[2].lastCluster == .none && Recorder.views[2].currentCluster == .none)
        #expect(Recorder.views[1].lastCluster == .spot && Recorder.views[1].currentCluster == .none)
    }

    @Test func jobsAreConvertedToSecondsAsTheReferenceDoes() throws {
        let job = try SpotJob(taskHours: 48, deadlineHours: 52, overheadHours: 0.2)
        #expect(job.taskSeconds == 172_800 && job.deadlineSeconds == 187_200 && job.overheadSeconds == 720)
        #expect(job.requiredTicks(gapSeconds: 600) == 313)
    }
}
