/// What the prebuilt host drives. A candidate executable is its own module (which sees only
/// this API) linked with the host library (which owns `main`, the wire codec and the query
/// loop); the harness compiled with the candidate hands the host one driver through the
/// exported symbol `sim_cascade_candidate_driver`, made by `make(Candidate.self)`.
///
/// A driver holds closures that `make` (inlinable, so compiled in the candidate's build)
/// creates for the candidate's type: a factory of policies, or one call into the candidate.
/// Everything else — keeping one policy per instance, building the views — is non-generic code
/// of this library, compiled once when sim-cascade is built. Specialising that code for each
/// candidate instead made half of every candidate's compile (~0.35 CPU-s of ~0.75) and saved
/// a few nanoseconds per decision: a policy's decision is one closure call, which calls the
/// candidate's `decide` directly. Candidates never use drivers.

/// Single-region spot: one fresh policy per scenario instance, driven a step of the base clock
/// at a time.
public final class SpotPolicyDriver {
    /// A fresh policy, as the function that asks it for its next decision, as the bits the
    /// policy returned: a `Cluster` that is no case (`unsafeBitCast`) reaches the parent as it
    /// is and is refused there, rather than being read by code that assumes a valid case.
    @usableFromInline let newPolicy: () -> (SpotView) -> UInt8
    /// The live policies by instance id (the parent numbers scenarios 0, 1, 2, …), each with
    /// the history and constants of its own instance. Separate arrays, mutated in place, so
    /// that no value is copied per query; unchecked exclusivity: the host calls from one thread,
    /// never re-entrantly, and a dynamic check per query would cost more than the call.
    @exclusivity(unchecked) private var policies: [((SpotView) -> UInt8)?] = []
    @exclusivity(unchecked) private var histories: [[UInt8]] = []
    @exclusivity(unchecked) private var constants: [SpotInstanceConstants] = []

    @inlinable
    init(newPolicy: @escaping () -> (SpotView) -> UInt8) { self.newPolicy = newPolicy }

    @inlinable
    public static func make<P: SpotPolicy>(_ type: P.Type) -> SpotPolicyDriver {
        SpotPolicyDriver {
            var policy = P()
            return { unsafeBitCast(policy.decide($0), to: UInt8.self) }
        }
    }

    /// Creates a fresh policy for each new instance, drops the dropped ones, and appends one
    /// decision per query; `false` for a query about an instance never created. Each instance
    /// sees only its own history, built from the `has_spot` bits it was sent — the child is
    /// never told any future tick.
    /// - Complexity: O(new + drop + queries) closure calls and appends.
    public func step(_ new: [SpotInstanceConstants], _ drop: [UInt32], _ queries: [SpotQuery], _ decisions: inout [UInt8]) -> Bool {
        for n in new {
            let id = Int(n.id)
            if id >= policies.count {
                let missing = id + 1 - policies.count
                policies.append(contentsOf: repeatElement(nil, count: missing))
                histories.append(contentsOf: repeatElement([], count: missing))
                constants.append(contentsOf: repeatElement(n, count: missing))
            }
            policies[id] = newPolicy()
            histories[id] = []
            constants[id] = n
        }
        for id in drop where Int(id) < policies.count {
            policies[Int(id)] = nil
            histories[Int(id)] = []
        }
        for q in queries {
            let id = Int(q.id)
            guard id < policies.count, let decide = policies[id] else { return false }
            histories[id].append(q.hasSpot ? 0 : 1)
            let c = constants[id]
            let decision = histories[id].withUnsafeBufferPointer { history in
                decide(SpotView(
                    tick: Int(q.tick), elapsed: Double(q.tick) * c.gap, gap: c.gap,
                    deadline: c.deadline, taskDuration: c.task, restartOverhead: c.overhead,
                    workDone: q.work, remainingRestartOverhead: q.rro, lastCluster: q.last,
                    currentCluster: q.current, hasSpot: q.hasSpot,
                    history: SpotAvailabilityHistory(unavailable: history, count: history.count)))
            }
            decisions.append(decision)
        }
        return true
    }
}

/// Multi-region spot: one fresh policy per run.
public final class MultiRegionPolicyDriver {
    /// A fresh policy, as the function that asks it for its next decision.
    @usableFromInline let newPolicy: () -> (MultiRegionView) -> MultiRegionDecision
    /// The live policies by run id; unchecked exclusivity as in `SpotPolicyDriver`.
    @exclusivity(unchecked) private var policies: [((MultiRegionView) -> MultiRegionDecision)?] = []

    @inlinable
    init(newPolicy: @escaping () -> (MultiRegionView) -> MultiRegionDecision) { self.newPolicy = newPolicy }

    @inlinable
    public static func make<P: MultiRegionPolicy>(_ type: P.Type) -> MultiRegionPolicyDriver {
        MultiRegionPolicyDriver {
            var policy = P()
            return { policy.decide($0) }
        }
    }

    /// Starts a fresh policy for run `id` (replacing any).
    public func start(_ id: Int) {
        if id >= policies.count { policies.append(contentsOf: repeatElement(nil, count: id + 1 - policies.count)) }
        policies[id] = newPolicy()
    }

    /// Ends run `id`'s policy.
    public func stop(_ id: Int) {
        if id < policies.count { policies[id] = nil }
    }

    /// The decision of run `id`'s policy; `nil` for a run never started.
    public func decide(_ id: Int, _ view: MultiRegionView) -> MultiRegionDecision? {
        guard id < policies.count, let decide = policies[id] else { return nil }
        return decide(view)
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
