/// One benchmark's figures (`sim-cascade bench`): the median, min and max of its samples and,
/// where it has them, per-tick and per-item times.
public struct BenchRow: Encodable, Sendable {
    public var workload: String
    /// "cpu" (thread CPU time) or "wall".
    public var clock: String
    public var scenarios: Int?
    public var ticksSimulated: Int?
    public var medianMs: Double
    public var minMs: Double
    public var maxMs: Double
    public var nsPerTick: Double?
    public var meanCost: Double?
    /// For workloads that repeat a small unit (e.g. one makespan evaluation): the unit's
    /// median time.
    public var perItemUs: Double?
    public var items: Int?
    public var runs: Int

    enum CodingKeys: String, CodingKey {
        case workload, clock, scenarios, items, runs
        case ticksSimulated = "ticks_simulated", medianMs = "median_ms", minMs = "min_ms", maxMs = "max_ms"
        case nsPerTick = "ns_per_tick", meanCost = "mean_cost", perItemUs = "per_item_us"
    }

    public init(_ workload: String, clock: String, _ m: BenchSamples, scenarios: Int? = nil, ticks: Int? = nil,
                meanCost: Double? = nil, items: Int? = nil) {
        self.workload = workload
        self.clock = clock
        self.scenarios = scenarios
        ticksSimulated = ticks
        medianMs = m.median * 1e3
        minMs = m.minimum * 1e3
        maxMs = m.maximum * 1e3
        nsPerTick = ticks.map { m.median * 1e9 / Double(max($0, 1)) }
        self.meanCost = meanCost
        self.items = items
        perItemUs = items.map { m.median * 1e6 / Double($0) }
        runs = m.samples.count
    }
}
