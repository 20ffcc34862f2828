// The spot-instance problem as a candidate sees it ("Can't Be Late", Wu et al., NSDI'24).
//
// Kept free of Foundation so that a candidate compiles against it quickly.

/// The kind of cluster a job runs on during one tick.
public enum Cluster: UInt8, Sendable, CaseIterable {
    /// Nothing runs; nothing is billed.
    case none = 0
    /// A preemptible spot instance: cheap, but may vanish at any tick.
    case spot = 1
    /// An on-demand instance: always available, expensive.
    case onDemand = 2
}

/// The spot availability of the ticks seen so far in this scenario, oldest first.
///
/// Element `i` is `true` when spot was available during tick `i`. It never includes future ticks.
/// Valid only for the duration of the `decide` call that received it.
public struct SpotAvailabilityHistory: RandomAccessCollection, Sendable {
    // 1 means spot unavailable, as in the trace files.
    @usableFromInline let unavailable: ArraySlice<UInt8>

    @inlinable
    public init(unavailable: ArraySlice<UInt8>) { self.unavailable = unavailable }

    public var startIndex: Int { 0 }
    public var endIndex: Int { unavailable.count }

    @inlinable
    public subscript(position: Int) -> Bool {
        unavailable[unavailable.startIndex + position] == 0
    }
}

/// What a spot policy observes at one tick. All times are in seconds.
public struct SpotView: Sendable {
    /// Index of the current tick, starting at 0.
    public var tick: Int
    /// `tick × gap`.
    public var elapsed: Double
    /// Length of one tick.
    public var gap: Double
    /// Deadline, measured from tick 0.
    public var deadline: Double
    /// Total work the job needs.
    public var taskDuration: Double
    /// Restart overhead `d`: billed, unproductive time after every start or switch.
    public var restartOverhead: Double
    /// Work completed so far, including the tick that just ended.
    public var workDone: Double
    /// Restart overhead still to be paid before work progresses again.
    public var remainingRestartOverhead: Double
    /// The cluster that ran during the previous tick (before any preemption seen now).
    public var lastCluster: Cluster
    /// The cluster that is running now: `lastCluster`, or `.none` if spot was just preempted.
    public var currentCluster: Cluster
    /// Whether spot is available during this tick.
    public var hasSpot: Bool
    /// Availability of ticks `0...tick`.
    public var history: SpotAvailabilityHistory

    @inlinable
    public init(
        tick: Int, elapsed: Double, gap: Double, deadline: Double, taskDuration: Double,
        restartOverhead: Double, workDone: Double, remainingRestartOverhead: Double,
        lastCluster: Cluster, currentCluster: Cluster, hasSpot: Bool,
        history: SpotAvailabilityHistory
    ) {
        self.tick = tick
        self.elapsed = elapsed
        self.gap = gap
        self.deadline = deadline
        self.taskDuration = taskDuration
        self.restartOverhead = restartOverhead
        self.workDone = workDone
        self.remainingRestartOverhead = remainingRestartOverhead
        self.lastCluster = lastCluster
        self.currentCluster = currentCluster
        self.hasSpot = hasSpot
        self.history = history
    }

    /// Work still to do: `taskDuration − workDone`.
    @inlinable
    public var remainingWork: Double { taskDuration - workDone }
}

/// A spot scheduling policy. One instance is created per scenario, so it may keep state.
///
/// The simulator, not the policy, enforces the deadline guarantee and never runs spot while
/// spot is unavailable; see the README for the exact per-tick semantics.
public protocol SpotPolicy {
    init()
    /// The cluster to run during the current tick.
    mutating func decide(_ view: SpotView) -> Cluster
}
