import Foundation
import SimCore

/// A calibration's evaluations through a `RemoteExecutor`: per candidate, one `eval --json`
/// request for every level on the search inputs (`--all-levels`, so a level that fails does not
/// skip the next), one for the fine level on the held-out inputs, and one for the cascade with
/// the sequential gates — each naming its inputs by options and digest. The report is the
/// local one but for seconds (measured on the workers).
public struct RemoteCalibration: Sendable {
    public var executor: RemoteExecutor
    /// `eval` options of the search and held-out inputs, each ending in `--expect-inputs DIGEST`.
    public var searchArguments: [String]
    public var heldOutArguments: [String]

    /// - Parameters:
    ///   - search: the search inputs' request, as given to `calibrate`.
    ///   - heldOutFile: `calibrate --held-out FILE`, if given.
    ///   - choice, workers: the executor started (`RemoteExecutor.start`) once the inputs are known good.
    /// - Throws: what loading the inputs for their digests throws; `CascadeError.executor` when
    ///   the executor cannot start.
    public init(_ choice: ExecutorChoice, workers: Int, problem: CandidateProblem, search: InputRequest, heldOutFile: String?,
                catalog: InputCatalog) throws {
        let option = problem.definition.inputFiles.fileOption
        /// The request as options, its file as the path this machine resolved (a worker has no
        /// reference-data lookup of this machine's), and the digest of what it loads.
        func arguments(_ request: InputRequest) throws -> [String] {
            let inputs = try problem.loadInputs(request, catalog: catalog)
            var resolved = request
            if let file = request.file { resolved.file = inputs.sources?.files.first?.path ?? catalog.userPath(file).path }
            return resolved.evalArguments(fileOption: option, catalog: catalog) + ["--expect-inputs", try inputs.digest()]
        }
        searchArguments = try arguments(search)
        heldOutArguments = try arguments(try problem.calibrationHeldOutRequest(search: search, heldOutFile: heldOutFile, catalog: catalog))
        executor = try RemoteExecutor.start(choice, workers: workers, catalog: catalog)
    }

    /// Every level of `calibration` on `candidate`, then the fine level on the held-out inputs
    /// (not when it did not compile). Two or more requests.
    /// - Throws: `CascadeError.executor` when the infrastructure fails.
    func entry(for candidate: PoolCandidate, in calibration: Calibration) throws -> CalibrationEntry {
        let names = calibration.levels.map(\.name)
        let reports: [RemoteReport]
        if names == calibration.everyLevel {
            reports = [try request(candidate, calibration, searchArguments + ["--all-levels"])]
        } else if names == calibration.everyLevel.filter({ !calibration.onDemandLevels.contains($0) }) {
            reports = [try request(candidate, calibration, searchArguments + ["--all-levels", "--models-only"])]
        } else {
            reports = try names.map { try request(candidate, calibration, searchArguments + ["--level", $0]) }
        }
        var entry = CalibrationEntry(name: candidate.name, origin: candidate.origin.rawValue,
                                     compileSeconds: reports[0].timing.compileSeconds, levels: [:], heldOut: nil)
        let stages = Dictionary(reports.flatMap(\.stages).map { ($0.level, $0) }, uniquingKeysWith: { first, _ in first })
        // No stage ran: it did not compile (as locally, no level is measured).
        guard !stages.isEmpty else { return entry }
        for level in calibration.levels {
            guard let stage = stages[level.name] else {
                throw CascadeError.executor("the answer for \(candidate.name) has no stage \(level.name)")
            }
            entry.levels[level.name] = Self.measure(stage, metric: level.primaryMetric)
        }
        let fine = calibration.heldOutFine
        let heldOut = try request(candidate, calibration, heldOutArguments + ["--level", fine.name])
        guard let stage = heldOut.stages.first(where: { $0.level == fine.name }) else {
            throw CascadeError.executor("the held-out answer for \(candidate.name) has no stage \(fine.name)")
        }
        entry.heldOut = Self.measure(stage, metric: fine.primaryMetric)
        return entry
    }

    /// The cascade through `gates` (sequential) on the search inputs.
    func sequentialOutcome(of candidate: PoolCandidate, gates: [LevelGate], in calibration: Calibration) throws
        -> Calibration.SequentialOutcome? {
        let file = GatesFile(gates: gates, levels: calibration.levels.map(\.name))
        let report = try request(candidate, calibration, searchArguments, gates: file)
        guard !report.stages.isEmpty else { return nil }
        return Calibration.SequentialOutcome(seconds: report.stages.reduce(0) { $0 + $1.seconds }, passed: report.rejectedAt == nil)
    }

    func request(_ candidate: PoolCandidate, _ calibration: Calibration, _ arguments: [String],
                 gates: GatesFile = GatesFile(gates: [])) throws -> RemoteReport {
        // No budgets: a calibration measures every level to the end, as `Level.run` with none.
        try executor.run(problem: calibration.problem.rawValue, source: candidate.source,
                         gates: gates, arguments: arguments + ["--no-public-evaluator"],
                         timeout: 3600)
    }

    static func measure(_ stage: RemoteReport.Stage, metric: String) -> CalibrationEntry.Level {
        CalibrationEntry.Level(value: stage.metrics[metric], valid: stage.failure == nil, failure: stage.failure?.kind, seconds: stage.seconds)
    }
}
