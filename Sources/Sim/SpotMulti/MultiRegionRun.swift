import CandidateAPI

/// Which multi-region semantics a run follows (see docs/problems/spot-multi.md for every difference).
public enum MultiRegionModel: String, CaseIterable, Sendable {
    /// The public evaluator's, reproduced exactly: billing re-priced at the end, prices frozen at
    /// tick 0, free moves of a running instance, every region's availability visible.
    case reference
    /// Each tick billed once where it ran at that tick's price; one region observed; a running
    /// instance bound to its region; late finishes are deadline misses.
    case corrected
}

/// The outcome of one multi-region run.
public struct MultiRegionRunResult: Sendable, Equatable {
    public var cost: Double
    /// The tick the work was done at, or the last tick when it never was.
    public var endTick: Int
    public var finished: Bool
    public var deadlineMet: Bool
}

/// One multi-region run, stepped tick by tick: `observe` (bill, see preemption, credit), the
/// policy, `apply` (move, guarantee, safety, overhead), `advance`. Built-in policies and
/// sandboxed candidates drive this one implementation of both models.
public struct MultiRegionRun: Sendable {
    public let model: MultiRegionModel
    public let job: SpotJob
    public let gapSeconds: Double
    public let input: MultiRegionRunInput
    public let migrationOverheadSeconds: Double
    public static let onDemandPrice = 3.06

    public private(set) var tick = 0
    /// Where the next launch goes.
    public private(set) var pointer = 0
    /// The region of the running instance, or of the last one when none runs (corrected model).
    var instanceRegion = 0
    /// Whether an instance has run yet: the job's state then lives in `instanceRegion`, and a
    /// launch anywhere else pays the migration overhead.
    var launched = false
    var current = Cluster.none
    var last = Cluster.none
    var hasSpot = false
    var rro = 0.0
    var work = 0.0
    public private(set) var isFinished = false
    /// Reference model: the type of every billed tick, in order (priced only at the end).
    var billed: [Cluster] = []
    /// Corrected model: the cost so far.
    var cost = 0.0

    public init(model: MultiRegionModel, job: SpotJob, gapSeconds: Double, input: MultiRegionRunInput,
                migrationOverheadSeconds: Double = 0) {
        self.model = model
        self.job = job
        self.gapSeconds = gapSeconds
        self.input = input
        self.migrationOverheadSeconds = migrationOverheadSeconds
        if model == .reference { billed.reserveCapacity(input.ticks) }
    }

    public var regionCount: Int { input.unavailable.count }

    func available(_ region: Int, _ t: Int) -> Bool { input.unavailable[region][t] == 0 }

    /// Bills the previous tick, sees preemption, credits the previous tick's work; returns what
    /// the policy sees.
    /// - Complexity: O(regions) (the price vector, and the availability vector under the reference model).
    public mutating func observe() -> MultiRegionView {
        let gap = gapSeconds, task = job.taskSeconds, t = tick
        let observed: Int
        switch model {
        case .reference:
            if t > 0 { billed.append(current) }
            observed = pointer
        case .corrected:
            if t > 0 {
                let price = current == .spot ? input.prices[instanceRegion][t - 1] : current == .onDemand ? Self.onDemandPrice : 0
                cost += (price * gap) / 3600
            }
            observed = current != .none ? instanceRegion : pointer
        }
        hasSpot = available(observed, t)
        last = current
        if current == .spot && !hasSpot { current = .none }
        job.credit(work: &work, overhead: &rro, ran: last != .none, gapSeconds: gap)
        isFinished = work >= task
        return MultiRegionView(
            tick: t, elapsed: Double(t) * gap, gap: gap, deadline: job.deadlineSeconds, taskDuration: task,
            restartOverhead: job.overheadSeconds, workDone: work, remainingRestartOverhead: rro, lastCluster: last,
            currentCluster: current, hasSpot: hasSpot, observedRegion: observed, regionPointer: pointer,
            instanceRegion: current != .none && model == .corrected ? instanceRegion : (current != .none ? pointer : -1),
            regionCount: regionCount, spotPrices: input.prices.map { $0[t] }, onDemandPrice: Self.onDemandPrice,
            spotAvailableByRegion: model == .reference ? input.unavailable.map { $0[t] == 0 } : nil)
    }

    /// Applies the policy's decision. `decision.region` must be in `0 ..< regionCount`.
    /// - Complexity: O(1).
    public mutating func apply(_ decision: MultiRegionDecision) {
        let gap = gapSeconds, d = job.overheadSeconds, t = tick
        if let region = decision.region {
            precondition(region >= 0 && region < regionCount, "region \(region) out of range")
            pointer = region
        }
        let guaranteed = job.guaranteeApplies(work: work, elapsed: Double(t) * gap, gapSeconds: gap)
        var type = decision.cluster
        switch model {
        case .reference:
            if guaranteed { type = (last == .spot && rro < 1e-3) ? .spot : .onDemand }
            if type == .spot && !available(pointer, t) { type = .none }
            if current != type && type != .none { rro = d }
            current = type
        case .corrected:
            var region = pointer
            if guaranteed {
                type = (last == .spot && current == .spot && rro < 1e-3) ? .spot : .onDemand
                // A continuation stays where the instance runs, and the pointer returns there.
                if type == current { (region, pointer) = (instanceRegion, instanceRegion) }
            }
            // A blind SPOT launch where spot is gone: idle and unbilled; the policy learns it at t + 1.
            if type == .spot && !(type == current && region == instanceRegion) && !available(region, t) { type = .none }
            let continuation = type == current && current != .none && region == instanceRegion
            if type != .none && !continuation {
                rro = d + (launched && region != instanceRegion ? migrationOverheadSeconds : 0)
            }
            current = type
            if type != .none { (instanceRegion, launched) = (region, true) }
        }
    }

    public mutating func advance() { tick += 1 }

    /// The outcome once the run stopped (finished at `tick`, or ran out of ticks).
    public func result() -> MultiRegionRunResult {
        let endTick = isFinished ? tick : input.ticks - 1
        var total = cost
        if model == .reference {
            // Every SPOT tick at tick 0's price of the region the pointer ends in: the exploit.
            let spot = input.prices[pointer][0]
            total = 0.0
            for type in billed {
                let p = type == .spot ? spot : type == .onDemand ? Self.onDemandPrice : 0
                total += (p * gapSeconds) / 3600
            }
        }
        return MultiRegionRunResult(cost: total, endTick: endTick, finished: isFinished,
                                    deadlineMet: isFinished && Double(endTick) * gapSeconds <= job.deadlineSeconds)
    }

    /// Runs `policy` until the work is done or the ticks run out.
    /// - Complexity: O(ticks × regions).
    public static func run<Policy: MultiRegionPolicy>(_ policy: inout Policy, model: MultiRegionModel, job: SpotJob,
                                                      gapSeconds: Double, input: MultiRegionRunInput,
                                                      migrationOverheadSeconds: Double = 0) -> MultiRegionRunResult {
        var run = MultiRegionRun(model: model, job: job, gapSeconds: gapSeconds, input: input,
                                 migrationOverheadSeconds: migrationOverheadSeconds)
        let ticks = input.ticks
        while run.tick < ticks {
            run.apply(policy.decide(run.observe()))
            if run.isFinished { break }
            run.advance()
        }
        return run.result()
    }
}
