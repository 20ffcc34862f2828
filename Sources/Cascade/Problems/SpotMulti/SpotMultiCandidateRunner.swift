import CandidateAPI
import CandidateWire
import Sim

/// Runs a sandboxed multi-region candidate over a set's runs, with the trusted simulator (either
/// model) in this process and only decisions coming from the child.
///
/// Every run starts at tick 0 of its time-aligned traces, so all advance in lock-step: at tick t
/// each unfinished run is queried in one batch, and nothing inside the child can learn any
/// region's availability after t. Runs that share a region file must not share a child (one
/// could tell the other what it observed there): `SpotMultiFidelityLevel` gives each scenario
/// its own, and a scenario's runs use distinct trace indices.
public struct SpotMultiCandidateRunner {
    public var set: MultiRegionScenarioSet
    public var model: MultiRegionModel
    public var migrationOverheadSeconds: Double

    public init(set: MultiRegionScenarioSet, model: MultiRegionModel, migrationOverheadSeconds: Double = 0) {
        self.set = set
        self.model = model
        self.migrationOverheadSeconds = migrationOverheadSeconds
    }

    /// Drives the child to the end of every run.
    /// - Returns: one result per run in set order, or the candidate's failure.
    /// - Complexity: O(total ticks × regions) plus one round trip per tick.
    public func run(_ session: some QueryChannel) -> Result<MultiRegionSetResult, CandidateFailure> {
        var runs = set.runs.map {
            MultiRegionRun(model: model, job: set.job, gapSeconds: set.gapSeconds, input: $0,
                           migrationOverheadSeconds: migrationOverheadSeconds)
        }
        var results = [MultiRegionRunResult?](repeating: nil, count: runs.count)
        var active = Array(runs.indices)
        var new = runs.indices.map { i in
            SpotMultiWire.NewInstance(id: UInt32(i), gap: set.gapSeconds, deadline: set.job.deadlineSeconds, task: set.job.taskSeconds,
                                      overhead: set.job.overheadSeconds, regions: UInt32(runs[i].regionCount),
                                      onDemandPrice: MultiRegionRun.onDemandPrice)
        }
        var dropped: [UInt32] = []
        var writer = WireWriter(capacity: 1 << 16)
        while !active.isEmpty {
            let queries = active.map { i in (id: UInt32(i), view: runs[i].observe()) }
            SpotMultiWire.encodeStep(new: new, drop: dropped, queries: queries, into: &writer)
            new.removeAll()
            dropped.removeAll(keepingCapacity: true)
            let answer: [UInt8]
            switch session.exchange(writer.bytes, answerCount: queries.count * SpotMultiWire.decisionBytes) {
            case .success(let bytes): answer = bytes
            case .failure(let failure): return .failure(failure)
            }
            var stillActive: [Int] = []
            for (k, i) in active.enumerated() {
                let at = k * SpotMultiWire.decisionBytes
                let raw = Int32(bitPattern: UInt32(answer[at + 1]) | UInt32(answer[at + 2]) << 8
                    | UInt32(answer[at + 3]) << 16 | UInt32(answer[at + 4]) << 24)
                let regions = runs[i].regionCount
                guard let cluster = Cluster(rawValue: answer[at]), raw == -1 || (raw >= 0 && Int(raw) < regions) else {
                    session.killAndReap()
                    let what = Cluster(rawValue: answer[at]) == nil
                        ? "cluster \(answer[at]) is not a cluster type (0 none, 1 spot, 2 on-demand)"
                        : "region \(raw) is not one of the run's regions 0..<\(regions)"
                    return .failure(CandidateFailure(
                        .invalidAnswer, "\(set.runs[i].scenario) trace \(set.runs[i].traceIndex) tick \(runs[i].tick): \(what)"))
                }
                runs[i].apply(MultiRegionDecision(cluster, region: raw == -1 ? nil : Int(raw)))
                if runs[i].isFinished || runs[i].tick == set.runs[i].ticks - 1 {
                    results[i] = runs[i].result()
                    dropped.append(UInt32(i))
                } else {
                    runs[i].advance()
                    stillActive.append(i)
                }
            }
            active = stillActive
        }
        SpotMultiWire.encodeEnd(into: &writer)
        session.finish(endFrame: writer.bytes)
        return .success(MultiRegionSetResult(set: set, results: results.map { $0! }))
    }
}
