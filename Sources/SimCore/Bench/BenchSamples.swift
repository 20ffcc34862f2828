/// CPU-time samples of one piece of fixed work, run afresh each time.
public struct BenchSamples: Sendable {
    /// Seconds of thread CPU time, one per run, in run order.
    public var samples: [Double]

    public init(samples: [Double]) { self.samples = samples }

    /// Runs `work` `runs` times and records the thread CPU time of each run. Whatever `work`
    /// returns is passed to `sink`, so the optimiser cannot drop the work.
    ///
    /// - Complexity: `runs` × the cost of `work`.
    public static func cpuTime<T>(runs: Int, sink: (T) -> Void = { _ in }, _ work: () throws -> T) rethrows -> BenchSamples {
        precondition(runs > 0, "runs must be positive")
        var samples: [Double] = []
        samples.reserveCapacity(runs)
        for _ in 0..<runs {
            let start = threadCPUTime()
            let result = try work()
            let end = threadCPUTime()
            sink(result)
            samples.append(end - start)
        }
        return BenchSamples(samples: samples)
    }

    /// Runs `work` `runs` times and records the wall time of each run, for work that spans
    /// several processes (a compiler, a sandboxed child).
    public static func wallTime<T>(runs: Int, sink: (T) -> Void = { _ in }, _ work: () throws -> T) rethrows -> BenchSamples {
        precondition(runs > 0, "runs must be positive")
        var samples: [Double] = []
        for _ in 0..<runs {
            let start = monotonicSeconds()
            let result = try work()
            let end = monotonicSeconds()
            sink(result)
            samples.append(end - start)
        }
        return BenchSamples(samples: samples)
    }

    /// The median sample (mean of the two middle ones for an even count).
    /// - Complexity: O(n log n).
    public var median: Double {
        let sorted = samples.sorted()
        let mid = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
    }

    public var minimum: Double { samples.min() ?? 0 }
    public var maximum: Double { samples.max() ?? 0 }
}
