// Multi-region spot as a candidate sees it: the single-region job, plus a region pointer.
//
// Kept free of Foundation so that a candidate compiles against it quickly.

/// What a multi-region policy sees at one tick. Under the corrected model (the default) this is
/// all a policy may know: the availability of one region only — that of its running instance,
/// or, when none runs, the region pointer's — and the spot prices of every region at this tick.
/// Under the reference model it also sees every region's availability at this tick
/// (`spotAvailableByRegion`), as the public environment lets a policy query it.
public struct MultiRegionView: Sendable {
    public var tick: Int
    /// Seconds since the start of the run (`tick · gap`).
    public var elapsed: Double
    public var gap: Double
    public var deadline: Double
    public var taskDuration: Double
    public var restartOverhead: Double
    public var workDone: Double
    public var remainingRestartOverhead: Double
    /// The type that ran during the previous tick, before any preemption seen now.
    public var lastCluster: Cluster
    /// The type running now (`.none` after a preemption).
    public var currentCluster: Cluster
    /// Spot availability in `observedRegion` at this tick.
    public var hasSpot: Bool
    /// The region whose availability `hasSpot` is.
    public var observedRegion: Int
    /// Where the next launch goes (regions are `0 ..< regionCount`, in the scenario's ring order).
    public var regionPointer: Int
    /// The region of the running instance, or -1 when none runs.
    public var instanceRegion: Int
    public var regionCount: Int
    /// Spot price of each region at this tick, in $/h (on demand costs `onDemandPrice` everywhere).
    public var spotPrices: [Double]
    public var onDemandPrice: Double
    /// Spot availability of every region at this tick under the reference model (what the public
    /// environment's `get_all_regions_spot_available()` returns); `nil` under the corrected
    /// model, which shows one region only: there, whether spot is up elsewhere is learned by
    /// launching there, and a blind launch where it is gone idles the tick (unbilled) and shows
    /// the outcome at the next one. Never the future under either model.
    public var spotAvailableByRegion: [Bool]?

    public init(tick: Int, elapsed: Double, gap: Double, deadline: Double, taskDuration: Double, restartOverhead: Double,
                workDone: Double, remainingRestartOverhead: Double, lastCluster: Cluster, currentCluster: Cluster,
                hasSpot: Bool, observedRegion: Int, regionPointer: Int, instanceRegion: Int, regionCount: Int,
                spotPrices: [Double], onDemandPrice: Double, spotAvailableByRegion: [Bool]? = nil) {
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
        self.observedRegion = observedRegion
        self.regionPointer = regionPointer
        self.instanceRegion = instanceRegion
        self.regionCount = regionCount
        self.spotPrices = spotPrices
        self.onDemandPrice = onDemandPrice
        self.spotAvailableByRegion = spotAvailableByRegion
    }

    public var remainingWork: Double { taskDuration - workDone }

    /// The same tick as a single-region view of the observed region (no history), so a
    /// single-region rule can be reused.
    public var singleRegion: SpotView {
        SpotView(tick: tick, elapsed: elapsed, gap: gap, deadline: deadline, taskDuration: taskDuration,
                 restartOverhead: restartOverhead, workDone: workDone, remainingRestartOverhead: remainingRestartOverhead,
                 lastCluster: lastCluster, currentCluster: currentCluster, hasSpot: hasSpot, history: .empty)
    }
}

/// A multi-region decision: the cluster type to run, and where the region pointer goes first
/// (`nil`: it stays).
public struct MultiRegionDecision: Sendable, Equatable {
    public var cluster: Cluster
    public var region: Int?

    public init(_ cluster: Cluster, region: Int? = nil) {
        self.cluster = cluster
        self.region = region
    }
}

/// A multi-region spot policy. One instance runs one (scenario, trace) pair; `decide` is called
/// once per tick.
public protocol MultiRegionPolicy {
    init()
    mutating func decide(_ view: MultiRegionView) -> MultiRegionDecision
}
