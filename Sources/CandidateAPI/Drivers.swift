/// What the prebuilt host drives. A candidate executable is its own module (which sees only
/// this API) linked with the host library (which owns `main`, the wire codec and the query
/// loop); the harness compiled with the candidate hands the host one driver through the
/// exported symbol `sim_cascade_candidate_driver`, made by `make(Candidate.self)`.
///
/// A driver is a non-generic class holding closures created inside an inlinable generic
/// `make`: inlined into the harness, they are specialised for the candidate's type, so every
/// call into the policy is a direct one in the candidate's own build (a generic class's
/// methods, reached dynamically, would run unspecialised). The host makes one closure call per
/// request. Candidates never use drivers.

/// Single-region spot: one fresh policy per scenario instance, driven a step of the base clock
/// at a time.
public final class SpotPolicyDriver {
    /// Creates a fresh policy for each new instance, drops the dropped ones, and appends one
    /// decision per query; `false` for a query about an instance never created.
    public let step: (_ new: [SpotInstanceConstants], _ drop: [UInt32], _ queries: [SpotQuery],
                      _ decisions: inout [UInt8]) -> Bool

    @inlinable
    init(step: @escaping ([SpotInstanceConstants], [UInt32], [SpotQuery], inout [UInt8]) -> Bool) {
        self.step = step
    }

    @inlinable
    public static func make<P: SpotPolicy>(_ type: P.Type) -> SpotPolicyDriver {
        let state = SpotPolicyState<P>()
        return SpotPolicyDriver { new, drop, queries, decisions in state.step(new, drop, queries, &decisions) }
    }
}

/// The policies of one spot session. Indexed by instance id (the parent numbers scenarios 0, 1,
/// 2, …); separate arrays, mutated in place, so that no value is copied (and reference-counted)
/// per query. Unchecked: the host calls from one thread, never re-entrantly, and a dynamic
/// exclusivity check per query would cost more than the call.
@usableFromInline
final class SpotPolicyState<P: SpotPolicy> {
    @exclusivity(unchecked) @usableFromInline var policies: [P?] = []
    @exclusivity(unchecked) @usableFromInline var histories: [[UInt8]] = []
    @exclusivity(unchecked) @usableFromInline var constants: [SpotInstanceConstants] = []

    @inlinable init() {}

    /// Each instance sees only its own history, built from the `has_spot` bits it was sent —
    /// the child is never told any future tick.
    @inlinable
    func step(_ new: [SpotInstanceConstants], _ drop: [UInt32], _ queries: [SpotQuery], _ decisions: inout [UInt8]) -> Bool {
        for n in new {
            let id = Int(n.id)
            if id >= policies.count {
                let missing = id + 1 - policies.count
                policies.append(contentsOf: repeatElement(nil, count: missing))
                histories.append(contentsOf: repeatElement([], count: missing))
                constants.append(contentsOf: repeatElement(n, count: missing))
            }
            policies[id] = P()
            histories[id] = []
            constants[id] = n
        }
        for id in drop where Int(id) < policies.count {
            policies[Int(id)] = nil
            histories[Int(id)] = []
        }
        for q in queries {
            let id = Int(q.id)
            guard id < policies.count, policies[id] != nil else { return false }
            histories[id].append(q.hasSpot ? 0 : 1)
            let c = constants[id]
            let decision = histories[id].withUnsafeBufferPointer { history in
                policies[id]!.decide(SpotView(
                    tick: Int(q.tick), elapsed: Double(q.tick) * c.gap, gap: c.gap,
                    deadline: c.deadline, taskDuration: c.task, restartOverhead: c.overhead,
                    workDone: q.work, remainingRestartOverhead: q.rro, lastCluster: q.last,
                    currentCluster: q.current, hasSpot: q.hasSpot,
                    history: SpotAvailabilityHistory(unavailable: history, count: history.count)))
            }
            decisions.append(decision.rawValue)
        }
        return true
    }
}

/// Multi-region spot: one fresh policy per run.
public final class MultiRegionPolicyDriver {
    public let start: (_ id: Int) -> Void
    public let stop: (_ id: Int) -> Void
    /// `nil` for a run never started.
    public let decide: (_ id: Int, _ view: MultiRegionView) -> MultiRegionDecision?

    @inlinable
    init(start: @escaping (Int) -> Void, stop: @escaping (Int) -> Void, decide: @escaping (Int, MultiRegionView) -> MultiRegionDecision?) {
        (self.start, self.stop, self.decide) = (start, stop, decide)
    }

    @inlinable
    public static func make<P: MultiRegionPolicy>(_ type: P.Type) -> MultiRegionPolicyDriver {
        let state = MultiRegionPolicyState<P>()
        return MultiRegionPolicyDriver(start: { state.start($0) }, stop: { state.stop($0) }, decide: { state.decide($0, $1) })
    }
}

@usableFromInline
final class MultiRegionPolicyState<P: MultiRegionPolicy> {
    @exclusivity(unchecked) @usableFromInline var policies: [P?] = []

    @inlinable init() {}

    @inlinable func start(_ id: Int) {
        if id >= policies.count { policies.append(contentsOf: repeatElement(nil, count: id + 1 - policies.count)) }
        policies[id] = P()
    }

    @inlinable func stop(_ id: Int) {
        if id < policies.count { policies[id] = nil }
    }

    @inlinable func decide(_ id: Int, _ view: MultiRegionView) -> MultiRegionDecision? {
        guard id < policies.count, policies[id] != nil else { return nil }
        return policies[id]!.decide(view)
    }
}

/// EPLB: one placer for the whole session (it may keep state from window to window).
public final class ExpertPlacerDriver {
    public let place: (_ input: EPLBInput) -> [[Int]]

    @inlinable
    init(place: @escaping (EPLBInput) -> [[Int]]) { self.place = place }

    @inlinable
    public static func make<P: ExpertPlacer>(_ type: P.Type) -> ExpertPlacerDriver {
        var placer = P()
        return ExpertPlacerDriver { placer.place($0) }
    }
}

/// Prefix caching: a fresh reorderer per table.
public final class FieldReordererDriver {
    public let reorder: (_ table: PrefixTable) -> PrefixOrdering

    @inlinable
    init(reorder: @escaping (PrefixTable) -> PrefixOrdering) { self.reorder = reorder }

    @inlinable
    public static func make<P: FieldReorderer>(_ type: P.Type) -> FieldReordererDriver {
        FieldReordererDriver { table in
            var reorderer = P()
            return reorderer.reorder(table)
        }
    }
}

/// Transactions: a fresh scheduler per workload.
public final class TxnSchedulerDriver {
    public let schedule: (_ workload: TxnWorkload) -> [Int]

    @inlinable
    init(schedule: @escaping (TxnWorkload) -> [Int]) { self.schedule = schedule }

    @inlinable
    public static func make<P: TxnScheduler>(_ type: P.Type) -> TxnSchedulerDriver {
        TxnSchedulerDriver { workload in
            var scheduler = P()
            return scheduler.schedule(workload)
        }
    }
}

/// A spot scenario's constants, sent once when its instance is created.
public struct SpotInstanceConstants: Sendable, Equatable {
    public var id: UInt32
    public var gap: Double
    public var deadline: Double
    public var task: Double
    public var overhead: Double

    @inlinable
    public init(id: UInt32, gap: Double, deadline: Double, task: Double, overhead: Double) {
        self.id = id
        self.gap = gap
        self.deadline = deadline
        self.task = task
        self.overhead = overhead
    }
}

/// One tick's observation of one spot instance, as the parent sends it.
public struct SpotQuery: Sendable, Equatable {
    public var id: UInt32
    public var tick: UInt32
    public var hasSpot: Bool
    public var last: Cluster
    public var current: Cluster
    public var work: Double
    public var rro: Double

    @inlinable
    public init(id: UInt32, tick: UInt32, hasSpot: Bool, last: Cluster, current: Cluster,
                work: Double, rro: Double) {
        self.id = id
        self.tick = tick
        self.hasSpot = hasSpot
        self.last = last
        self.current = current
        self.work = work
        self.rro = rro
    }

}
