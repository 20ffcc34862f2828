import CandidateAPI
import SimCore

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
/// simulator behind the public ADRS evaluator (documented step by step in docs/problems/spot.md).
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
        // Borrowing the window (rather than slicing it per tick) keeps reference counting out of
        // the loop.
        window.withUnsafeBufferPointer { ticks in
            var run = SpotRun(job: job, gapSeconds: gap, prices: prices)
            while run.tick < ticks.count {
                let view = run.observe(
                    hasSpot: ticks[run.tick] == 0,
                    history: SpotAvailabilityHistory(unavailable: ticks, count: run.tick + 1))
                run.apply(policy.decide(view))
                if let record { record(run.lastRecord) }
                if run.isFinished { break }
                run.advance()
            }
            return run.result(windowTicks: ticks.count)
        }
    }
}

/// One run in progress, stepped tick by tick: `observe` (steps 1–2), then the policy, then
/// `apply` (steps 4–7), then `advance`. The in-process loop and the sandboxed evaluator both
/// drive this one implementation of the semantics.
public struct SpotRun: Sendable {
    public let job: SpotJob
    public let gapSeconds: Double
    public let prices: SpotPrices
    /// The tick being simulated.
    @inlinable public var tick: Int { currentTick }
    @usableFromInline var currentTick = 0
    @usableFromInline var current = Cluster.none
    @usableFromInline var last = Cluster.none
    @usableFromInline var hasSpot = false
    @usableFromInline var rro = 0.0
    @usableFromInline var work = 0.0
    @usableFromInline var spotTicks = 0
    @usableFromInline var onDemandTicks = 0
    /// Whether this tick's crediting brought the work to the task duration.
    @inlinable public var isFinished: Bool { finished }
    @usableFromInline var finished = false
    @usableFromInline var decision = Cluster.none

    @inlinable
    public init(job: SpotJob, gapSeconds: Double, prices: SpotPrices = .singleRegion) {
        self.job = job
        self.gapSeconds = gapSeconds
        self.prices = prices
    }

    /// Steps 1–2 of the current tick: bill, see preemption, credit the previous tick. Returns
    /// what the policy sees, with `history` attached.
    /// - Complexity: O(1).
    @inlinable @inline(__always)
    public mutating func observe(hasSpot: Bool, history: SpotAvailabilityHistory = .empty) -> SpotView {
        let gap = gapSeconds, task = job.taskSeconds
        // 1. Observe: bill the type that ran during the previous tick, then see preemption.
        switch current {
        case .spot: spotTicks += 1
        case .onDemand: onDemandTicks += 1
        case .none: break
        }
        self.hasSpot = hasSpot
        last = current
        if current == .spot && !hasSpot { current = .none }

        // 2. Credit the previous tick; work of a tick that ends in preemption is kept.
        job.credit(work: &work, overhead: &rro, ran: last != .none, gapSeconds: gap)
        finished = work >= task
        return SpotView(
            tick: tick, elapsed: Double(tick) * gap, gap: gap, deadline: job.deadlineSeconds,
            taskDuration: task, restartOverhead: job.overheadSeconds, workDone: work,
            remainingRestartOverhead: rro, lastCluster: last, currentCluster: current,
            hasSpot: hasSpot, history: history)
    }

    /// Steps 4–7 of the current tick, given the policy's decision (step 3).
    /// - Complexity: O(1).
    @inlinable @inline(__always)
    public mutating func apply(_ policyDecision: Cluster) {
        let gap = gapSeconds, d = job.overheadSeconds
        let elapsed = Double(tick) * gap
        var decision = policyDecision
        // 4. Strong guarantee. Tests `last`, the type before preemption, as the reference does.
        if job.guaranteeApplies(work: work, elapsed: elapsed, gapSeconds: gap) {
            decision = (last == .spot && rro < 1e-3) ? .spot : .onDemand
        }
        // 5. Safety: spot cannot run while unavailable.
        if decision == .spot && !hasSpot { decision = .none }
        // 6. Restart overhead for starts, switches and restarts after preemption.
        if current != decision && decision != .none { rro = d }
        // 7.
        current = decision
        self.decision = decision
    }

    /// Moves to the next tick.
    @inlinable
    public mutating func advance() { currentTick += 1 }

    /// The history row of the tick just applied.
    @inlinable
    public var lastRecord: SpotTickRecord {
        SpotTickRecord(tick: tick, last: last, costSoFar: cost, workSeconds: work,
                       remainingOverheadSeconds: rro, decision: decision)
    }

    /// Cost of the ticks billed so far, in $.
    @inlinable
    public var cost: Double {
        (Double(spotTicks) * prices.spot + Double(onDemandTicks) * prices.onDemand) * gapSeconds / 3600
    }

    /// The outcome after the run stopped: finished at `tick`, or ran out of a window of
    /// `windowTicks` ticks.
    @inlinable
    public func result(windowTicks: Int) -> SpotRunResult {
        let endTick = isFinished ? tick : windowTicks - 1
        return SpotRunResult(
            cost: cost, endTick: endTick, finished: isFinished,
            deadlineMet: isFinished && Double(endTick) * gapSeconds <= job.deadlineSeconds,
            spotTicks: spotTicks, onDemandTicks: onDemandTicks)
    }
}
