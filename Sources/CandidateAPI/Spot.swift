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
/// It borrows the simulator's memory and is valid only during the `decide` call that received
/// it: copy it (`Array(history)`) to keep it.
public struct SpotAvailabilityHistory: RandomAccessCollection, @unchecked Sendable {
    // The simulator's window (1 = spot unavailable, as in the trace files), of which the first
    // `endIndex` ticks are exposed. A borrowed buffer rather than an array slice keeps reference
    // counting out of the simulator's per-tick loop (it cost ~40 % of a tick).
    @usableFromInline let unavailable: UnsafeBufferPointer<UInt8>
    public let endIndex: Int

    /// The first `count` ticks of `unavailable` (1 = spot unavailable).
    @inlinable
    public init(unavailable: UnsafeBufferPointer<UInt8>, count: Int) {
        precondition(count >= 0 && count <= unavailable.count, "history longer than its window")
        self.unavailable = unavailable
        self.endIndex = count
    }

    @inlinable public var startIndex: Int { 0 }

    /// No ticks.
    public static let empty = SpotAvailabilityHistory(unavailable: UnsafeBufferPointer(start: nil, count: 0), count: 0)

    @inlinable
    public subscript(position: Int) -> Bool {
        precondition(position >= 0 && position < endIndex, "tick \(position) is not in the past")
        return unavailable[position] == 0
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
/// spot is unavailable; see docs/problems/spot.md for the exact per-tick semantics. The guarantee, like the
/// reference's, keeps a spot instance that ran during the previous tick even when it is
/// preempted now, so a policy that rides spot into the last hours can still finish late — and a
/// late finish makes a candidate invalid.
public protocol SpotPolicy {
    init()
    /// The cluster to run during the current tick.
    mutating func decide(_ view: SpotView) -> Cluster
}
