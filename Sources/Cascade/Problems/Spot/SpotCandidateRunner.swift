import CandidateAPI
import CandidateWire
import Sim

/// Runs a sandboxed spot candidate over a scenario set, with the trusted simulator in this
/// process and only decisions coming from the child.
///
/// Scenarios advance in lock-step on the base traces' clock: at base tick τ, every unfinished
/// scenario whose window covers τ is queried in one batch (one round trip per τ), and a window
/// that starts later joins later. So no instance can learn, from anything inside the child, the
/// availability of any tick after τ.
public struct SpotCandidateRunner {
    public var set: SpotScenarioSet

    public init(set: SpotScenarioSet) { self.set = set }

    /// Drives the child to the end of every scenario.
    ///
    /// - Returns: one result per scenario in file order, or the candidate's failure.
    /// - Complexity: O(total ticks) simulation plus one round trip per base tick.
    public func run(_ session: some QueryChannel) -> Result<SpotSetResult, CandidateFailure> {
        run(session, batches: [Array(set.scenarios.indices)]) { _ in true }.map { SpotSetResult(results: $0.map { $0! }) }
    }

    /// Drives the child through `batches` of scenarios (indices into the set), one after the
    /// other in the same session, each batch in lock-step on its own clock; after each batch,
    /// `goOn` sees every result so far and may stop.
    ///
    /// A batch must hold every scenario whose window shares ticks with one of its scenarios (spot:
    /// all scenarios of a base trace): otherwise a later batch could replay ticks the candidate
    /// has already seen.
    /// - Returns: the results of the scenarios run (`nil` for the others), or the candidate's
    ///   failure.
    public func run(_ session: some QueryChannel, batches: [[Int]],
                    goOn: ([SpotRunResult?]) -> Bool) -> Result<[SpotRunResult?], CandidateFailure> {
        let scenarios = set.scenarios
        let count = scenarios.count
        // Flat copies, so the per-query loop touches no reference-counted value.
        let starts = scenarios.map(\.startTick)
        let lengths = scenarios.map(\.ticks)
        var offsets = [Int](repeating: 0, count: count)
        var availability: [UInt8] = []
        availability.reserveCapacity(lengths.reduce(0, +))
        for (i, scenario) in scenarios.enumerated() {
            offsets[i] = availability.count
            availability.append(contentsOf: scenario.window)
        }
        var runs = scenarios.map { SpotRun(job: $0.job, gapSeconds: set.gapSeconds) }
        var results = [SpotRunResult?](repeating: nil, count: count)
        var active: [Int] = []
        var stillActive: [Int] = []
        var dropped: [UInt32] = []
        var writer = WireWriter(capacity: 1 << 16)
        var queries: [SpotWire.Query] = []
        var new: [SpotWire.NewInstance] = []

        for batch in batches {
            let byStart = batch.sorted { (starts[$0], $0) < (starts[$1], $1) }
            var nextToStart = 0
            var tau = byStart.first.map { starts[$0] } ?? 0
            while nextToStart < byStart.count || !active.isEmpty {
                if active.isEmpty { tau = max(tau, starts[byStart[nextToStart]]) }
                new.removeAll(keepingCapacity: true)
                while nextToStart < byStart.count && starts[byStart[nextToStart]] <= tau {
                    let i = byStart[nextToStart]
                    let job = runs[i].job
                    new.append(SpotWire.NewInstance(id: UInt32(i), gap: set.gapSeconds, deadline: job.deadlineSeconds,
                                                    task: job.taskSeconds, overhead: job.overheadSeconds))
                    active.append(i)
                    nextToStart += 1
                }
                queries.removeAll(keepingCapacity: true)
                for i in active {
                    let hasSpot = availability[offsets[i] + tau - starts[i]] == 0
                    let view = runs[i].observe(hasSpot: hasSpot)
                    queries.append(SpotWire.Query(id: UInt32(i), tick: UInt32(view.tick), hasSpot: hasSpot,
                                                  last: view.lastCluster, current: view.currentCluster,
                                                  work: view.workDone, rro: view.remainingRestartOverhead))
                }
                SpotWire.encodeStep(new: new, drop: dropped, queries: queries, into: &writer)
                dropped.removeAll(keepingCapacity: true)

                let answer: [UInt8]
                switch session.exchange(writer.bytes, answerCount: queries.count) {
                case .success(let bytes): answer = bytes
                case .failure(let failure): return .failure(failure)
                }

                stillActive.removeAll(keepingCapacity: true)
                for (k, i) in active.enumerated() {
                    guard let decision = Cluster(rawValue: answer[k]) else {
                        session.killAndReap()
                        return .failure(CandidateFailure(
                            .invalidAnswer, "scenario \(i) tick \(runs[i].tick): decision \(answer[k]) is not a cluster "
                                + "type (0 none, 1 spot, 2 on-demand)"))
                    }
                    runs[i].apply(decision)
                    if runs[i].isFinished || runs[i].tick == lengths[i] - 1 {
                        results[i] = runs[i].result(windowTicks: lengths[i])
                        dropped.append(UInt32(i))
                    } else {
                        runs[i].advance()
                        stillActive.append(i)
                    }
                }
                swap(&active, &stillActive)
                tau += 1
            }
            if !goOn(results) { break }
        }
        SpotWire.encodeEnd(into: &writer)
        session.finish(endFrame: writer.bytes)
        return .success(results)
    }
}
