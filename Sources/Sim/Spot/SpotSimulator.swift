import CandidateAPI

/// The outcome of one single-region run.
public struct SpotRunResult: Sendable, Equatable {
    /// Total billed cost in $.
    public var cost: Double
    /// The last simulated tick: where the work reached the task duration, or the window's last
    /// tick when it never did.
    public var endTick: Int
    /// Whether the work reached the task duration inside the window.
    public var finished: Bool
    /// Whether the job finished by its deadline (`endTick · gap ≤ deadline`).
    public var deadlineMet: Bool
    /// Ticks billed at spot and on-demand prices.
    public var spotTicks: Int
    public var onDemandTicks: Int

    /// `endTick + 1`, the number of ticks simulated.
    public var ticks: Int { endTick + 1 }

    @inlinable
    public init(cost: Double, endTick: Int, finished: Bool, deadlineMet: Bool,
                spotTicks: Int, onDemandTicks: Int) {
        self.cost = cost
        self.endTick = endTick
        self.finished = finished
        self.deadlineMet = deadlineMet
        self.spotTicks = spotTicks
        self.onDemandTicks = onDemandTicks
    }
}

/// One row of a per-tick history, as the reference simulator's histories report it.
public struct SpotTickRecord: Sendable, Equatable {
    public var tick: Int
    /// The type that ran during the previous tick, before any preemption seen now.
    public var last: Cluster
    /// Cost of the billing list after this tick's observe, in $.
    public var costSoFar: Double
    /// Work done after crediting the previous tick, in seconds.
    public var workSeconds: Double
    /// Remaining restart overhead after this tick's decision, in seconds.
    public var remainingOverheadSeconds: Double
    /// The type chosen for this tick after the simulator's guarantee and safety rules.
    public var decision: Cluster

    @inlinable
    public init(tick: Int, last: Cluster, costSoFar: Double, workSeconds: Double,
                remainingOverheadSeconds: Double, decision: Cluster) {
        self.tick = tick
        self.last = last
        self.costSoFar = costSoFar
        self.workSeconds = workSeconds
        self.remainingOverheadSeconds = remainingOverheadSeconds
        self.decision = decision
    }
}

/// The single-region spot simulator, with exactly the per-tick semantics of the reference
/// simulator behind the public ADRS evaluator (documented step by step in the README).
public enum SpotSimulator {
    /// Checks that a window can hold a run of `job` (the reference's pre-checks).
    ///
    /// - Throws: `SimError.windowTooShort` naming `name`.
    public static func validate(windowTicks: Int, gapSeconds: Double, job: SpotJob, name: String) throws {
        let needed = job.requiredTicks(gapSeconds: gapSeconds)
        guard windowTicks >= needed else {
            throw SimError.windowTooShort(file: name, ticks: windowTicks, needed: needed)
        }
    }

    /// Runs `policy` over `window` (1 = spot unavailable) until the job's work is done or the
    /// window ends.
    ///
    /// - Parameter record: called after every tick with that tick's history row.
    /// - Complexity: O(ticks) plus the policy's own work per tick.
    @inlinable
    public static func run<Policy: SpotPolicy>(
        window: ArraySlice<UInt8>, gapSeconds gap: Double, job: SpotJob,
        prices: SpotPrices = .singleRegion, policy: inout Policy,
        record: ((SpotTickRecord) -> Void)? = nil
    ) -> SpotRunResult {
        window.withUnsafeBufferPointer { ticks in
            run(ticks: ticks, gap: gap, job: job, prices: prices, policy: &policy, record: record)
        }
    }

    @inlinable
    static func run<Policy: SpotPolicy>(
        ticks window: UnsafeBufferPointer<UInt8>, gap: Double, job: SpotJob, prices: SpotPrices,
        policy: inout Policy, record: ((SpotTickRecord) -> Void)?
    ) -> SpotRunResult {
        let task = job.taskSeconds, deadline = job.deadlineSeconds, d = job.overheadSeconds
        var current = Cluster.none
        var rro = 0.0
        var work = 0.0
        var spotTicks = 0, onDemandTicks = 0
        var t = 0
        while t < window.count {
            let elapsed = Double(t) * gap
            // 1. Observe: bill the type that ran during the previous tick, then see preemption.
            switch current {
            case .spot: spotTicks += 1
            case .onDemand: onDemandTicks += 1
            case .none: break
            }
            let hasSpot = window[t] == 0
            let last = current
            if current == .spot && !hasSpot { current = .none }

            // 2. Credit the previous tick; work of a tick that ends in preemption is kept.
            if last != .none {
                var done = max(gap - rro, 0)
                rro -= gap - done
                if rro < 1e-3 { rro = 0 }
                done = min(done, task - work)
                work += done
            }
            let finished = work >= task

            // 3. Policy.
            var decision = policy.decide(SpotView(
                tick: t, elapsed: elapsed, gap: gap, deadline: deadline, taskDuration: task,
                restartOverhead: d, workDone: work, remainingRestartOverhead: rro,
                lastCluster: last, currentCluster: current, hasSpot: hasSpot,
                history: SpotAvailabilityHistory(unavailable: window, count: t + 1)))

            // 4. Strong guarantee. Tests `last`, the type before preemption, as the reference does.
            let remaining = task - work
            let remainingTime = ((deadline - elapsed) / gap).rounded(.down) * gap
            if remaining > 1e-3 && ((remaining + d) / gap).rounded(.up) * gap >= remainingTime {
                decision = (last == .spot && rro < 1e-3) ? .spot : .onDemand
            }
            // 5. Safety: spot cannot run while unavailable.
            if decision == .spot && !hasSpot { decision = .none }
            // 6. Restart overhead for starts, switches and restarts after preemption.
            if current != decision && decision != .none { rro = d }
            // 7.
            current = decision

            if let record {
                record(SpotTickRecord(
                    tick: t, last: last,
                    costSoFar: cost(spotTicks: spotTicks, onDemandTicks: onDemandTicks, gap: gap, prices: prices),
                    workSeconds: work, remainingOverheadSeconds: rro, decision: decision))
            }
            if finished { break }
            t += 1
        }
        let endTick = min(t, window.count - 1)
        let finished = work >= task
        return SpotRunResult(
            cost: cost(spotTicks: spotTicks, onDemandTicks: onDemandTicks, gap: gap, prices: prices),
            endTick: endTick, finished: finished,
            deadlineMet: finished && Double(endTick) * gap <= deadline,
            spotTicks: spotTicks, onDemandTicks: onDemandTicks)
    }

    @inlinable
    static func cost(spotTicks: Int, onDemandTicks: Int, gap: Double, prices: SpotPrices) -> Double {
        (Double(spotTicks) * prices.spot + Double(onDemandTicks) * prices.onDemand) * gap / 3600
    }
}
