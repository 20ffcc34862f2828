import SimCore

/// A job to run before its deadline, and the prices it is billed at.
public struct SpotJob: Sendable, Equatable {
    /// Work the job needs, in seconds.
    public var taskSeconds: Double
    /// Deadline measured from tick 0, in seconds.
    public var deadlineSeconds: Double
    /// Restart overhead `d` in seconds: billed but unproductive after every start or switch.
    public var overheadSeconds: Double

    /// The longest job, deadline or overhead accepted (about 11 years): bounds tick counts.
    public static let maximumHours = 100_000.0

    /// A job from hours, converted as the reference does (`hours × 3600`).
    public init(taskHours: Double, deadlineHours: Double, overheadHours: Double) throws {
        for (name, value) in [("task hours", taskHours), ("deadline hours", deadlineHours),
                              ("restart overhead hours", overheadHours)] {
            guard value.isFinite, value >= 0, value <= Self.maximumHours else {
                throw SimError.invalidParameter(name: name, value: "\(value)",
                                                reason: "must be a number between 0 and \(Int(Self.maximumHours))")
            }
        }
        guard taskHours > 0 else {
            throw SimError.invalidParameter(name: "task hours", value: "\(taskHours)", reason: "must be > 0")
        }
        taskSeconds = taskHours * 3600
        deadlineSeconds = deadlineHours * 3600
        overheadSeconds = overheadHours * 3600
        guard taskSeconds + overheadSeconds <= deadlineSeconds else {
            throw SimError.impossibleJob(taskHours: taskHours, overheadHours: overheadHours,
                                         deadlineHours: deadlineHours)
        }
    }

    /// Ticks a window must hold so the run can reach the deadline: `ceil(deadline/gap) + 1`.
    public func requiredTicks(gapSeconds: Double) -> Int {
        let ticks = (deadlineSeconds / gapSeconds).rounded(.up)
        return ticks < 1e15 ? Int(ticks) + 1 : Int.max  // unreachable within the bounds on hours and gaps
    }
}

extension SpotJob {
    /// Step 2 of a tick: credits the previous tick's work when something ran, paying the restart
    /// overhead first (work of a tick that ends in preemption is kept). Shared by the single- and
    /// multi-region runs so both follow the reference's arithmetic to the bit.
    /// - Complexity: O(1).
    @inlinable @inline(__always)
    public func credit(work: inout Double, overhead rro: inout Double, ran: Bool, gapSeconds gap: Double) {
        guard ran else { return }
        var done = max(gap - rro, 0)
        rro -= gap - done
        if rro < 1e-3 { rro = 0 }
        done = min(done, taskSeconds - work)
        work += done
    }

    /// Step 4's test: whether the deadline guarantee takes over at `elapsed` seconds, i.e. the
    /// remaining work plus one restart no longer fits before the deadline.
    /// - Complexity: O(1).
    @inlinable @inline(__always)
    public func guaranteeApplies(work: Double, elapsed: Double, gapSeconds gap: Double) -> Bool {
        let remaining = taskSeconds - work
        let remainingTime = ((deadlineSeconds - elapsed) / gap).rounded(.down) * gap
        return remaining > 1e-3 && ((remaining + overheadSeconds) / gap).rounded(.up) * gap >= remainingTime
    }
}

/// Prices in $/h of each cluster type.
public struct SpotPrices: Sendable, Equatable {
    public var spot: Double
    public var onDemand: Double

    public init(spot: Double, onDemand: Double) {
        self.spot = spot
        self.onDemand = onDemand
    }

    /// The single-region prices of the reference evaluator (any device type).
    public static let singleRegion = SpotPrices(spot: 0.9731, onDemand: 3.06)
}
