import CandidateAPI
import Foundation
import Sim
import SimCore

/// Multi-region spot: a policy also picks the region, under the public evaluator's billing
/// (`reference`) or the corrected one.
public struct SpotMultiProblem: Problem {
    /// A scenario set under one billing model.
    public struct Inputs: Sendable {
        public var set: MultiRegionScenarioSet
        public var model: MultiRegionModel
        public var migrationOverheadSeconds: Double

        public init(set: MultiRegionScenarioSet, model: MultiRegionModel, migrationOverheadSeconds: Double = 0) {
            self.set = set
            self.model = model
            self.migrationOverheadSeconds = migrationOverheadSeconds
        }
    }
    public typealias Score = MultiRegionSetResult

    public init() {}

    public var name: String { "spot-multi" }
    public var protocolName: String { "MultiRegionPolicy" }
    public var driverType: String { "MultiRegionPolicyDriver" }
    public var apiSourceFiles: [String] { ["Sources/CandidateAPI/Spot.swift", "Sources/CandidateAPI/SpotMulti.swift"] }
    public var template: String { CandidateTemplates.spotMulti }
    public var fitness: LevelMetric { LevelMetric(name: "mean_cost", lowerIsBetter: true) }
    public var defaultGates: [LevelGate] { SpotProblem.gates }
    public var itemNoun: String { "runs" }
    public var notesKey: String { "worst_runs" }
    public var inputFiles: ProblemInputFiles {
        ProblemInputFiles(fileOption: "scenarios", settings: ["model", "migration-overhead-hours"], hasHeldOutSet: true,
                          tracesFolder: Self.traces, generatedAtFirstUse: [Self.researchManifest])
    }

    static let traces = "traces/spot-multi"
    /// The manifest of the research-scale sets, generated at first use (`GeneratedInputCache`).
    static let researchManifest = "traces/spot-multi/research/manifest.json"
    static let referenceFolder = "spot/multi_region"

    /// A multi-region scenario file: `path` as given or in the reference data's
    /// `spot/multi_region/`; without one, the embedded search or held-out set: at research scale
    /// (6 scenarios × 40 aligned trace groups = 240 runs, generated at first use into the cache)
    /// or the small committed one (24 runs).
    public static func scenarioFile(_ path: String?, heldOut: Bool = false, scale: InputScale = .research,
                                    catalog: InputCatalog) throws -> URL {
        if let path { return try catalog.dataFile(path, under: [referenceFolder]) }
        return try SpotMultiProblem().embeddedFile(scale, small: "\(traces)/scenarios-small\(heldOut ? "-heldout" : "").json",
                                                   research: "scenarios-\(heldOut ? "heldout" : "search").json",
                                                   manifest: researchManifest, catalog: catalog)
    }

    /// Settings: `model` (default corrected), `migration-overhead-hours` (corrected model only).
    public func loadInputs(_ request: InputRequest, catalog: InputCatalog) throws -> LoadedInputs<Inputs> {
        let model = try request.setting("model", "reference or corrected", MultiRegionModel.init(rawValue:)) ?? .corrected
        let hours = try request.setting("migration-overhead-hours", "a number of hours", Double.init) ?? 0
        let migration = try model.migrationSeconds(hours: hours)
        let set = try MultiRegionScenarioSet.load(from: try Self.scenarioFile(request.file, heldOut: request.heldOut, scale: request.scale,
                                                                                  catalog: catalog))
        set.traceFiles.forEach { _ = catalog.noted($0) }
        return LoadedInputs(Inputs(set: set, model: model, migrationOverheadSeconds: migration), label: set.name)
    }

    public func levels(for inputs: Inputs) throws -> [any FidelityLevel] {
        SpotMultiLevels.make(search: inputs.set, model: inputs.model, migrationOverheadSeconds: inputs.migrationOverheadSeconds)
    }

    public func referencePolicy(for inputs: Inputs) -> String { "round-robin (the template), \(inputs.model.rawValue) model" }

    /// Every run under the reference model (the public evaluator's), a late finish scored like
    /// the others; a valid candidate's fine score is that figure only under `--model reference`.
    public func publicEvaluatorCheck(for inputs: Inputs) -> PublicEvaluatorCheck? {
        let set = inputs.set
        let level = SpotMultiFidelityLevel(name: "public_evaluator", set: set, model: .reference, migrationOverheadSeconds: 0,
                                           failOnDeadlineMiss: false)
        return PublicEvaluatorCheck(model: "reference", level: level, fineScoreIsPublic: inputs.model == .reference
                                        && inputs.migrationOverheadSeconds == 0) { score in
            guard let result = score.value as? MultiRegionSetResult, result.results.count == set.runs.count else { return nil }
            let finish = result.results.map { Double($0.endTick) * set.gapSeconds }
            let lateness = result.results.indices.filter { !result.results[$0].deadlineMet }
                .map { (finish[$0] - set.job.deadlineSeconds) / 3600 }
            return PublicEvaluatorFigures(model: "reference", meanCost: result.meanCost, runs: result.results.count,
                                          lateRuns: lateness.count, latestFinishHours: (finish.max() ?? 0) / 3600,
                                          maxLatenessHours: max(lateness.max() ?? 0, 0))
        }
    }

    public func calibrationPool(size: Int) -> [PoolCandidate] { SpotMultiCandidatePool.make(size: size) }

    /// The held-out set, and the public leaderboard's set under both models when the reference
    /// data is present.
    public func rescoreInputs(_ search: InputRequest, catalog: InputCatalog) throws -> [(name: String, inputs: LoadedInputs<Inputs>)] {
        var sets = [("held-out", try loadInputs(search.heldOutRequest, catalog: catalog))]
        if let board = try? Self.scenarioFile("scenarios-leaderboard-multi.json", catalog: catalog),
           let set = try? MultiRegionScenarioSet.load(from: board) {
            for model in [MultiRegionModel.corrected, .reference] {
                sets.append(("leaderboard-multi (\(model.rawValue))", LoadedInputs(Inputs(set: set, model: model), label: set.name)))
            }
        }
        return sets
    }

    public func encode(_ score: MultiRegionSetResult, of inputs: LoadedInputs<Inputs>, to encoder: Encoder) throws {
        let report = MultiRegionReport(policy: "candidate", model: inputs.value.model, set: inputs.value.set, result: score)
        var c = encoder.container(keyedBy: ReportKey.self)
        try c.encode(report.model, forKey: "model")
        try c.encode(report.scenarioSet, forKey: "scenario_set")
        try c.encode(report.meanCost, forKey: "mean_cost")
        try c.encode(report.deadlineMisses, forKey: "deadline_misses")
        try c.encode(report.scenarios, forKey: "scenarios")
        try c.encode(report.results, forKey: "results")
    }

    public func summary(_ score: MultiRegionSetResult, of inputs: LoadedInputs<Inputs>) -> [String] {
        ["mean_cost \(fixed(score.meanCost, 4)) $ (mean over scenarios, \(inputs.value.model.rawValue) model), "
            + "deadline_misses \(score.deadlineMisses); "
            + score.scenarioMeans.map { "\($0.name) \(fixed($0.meanCost, 4))" }.joined(separator: ", ")]
    }

    public func generatedFiles(manifest: URL) throws -> [GeneratedFile] {
        SpotMultiTraceGenerator(manifest: try SpotMultiTraceManifest.load(from: manifest)).files()
    }
}

extension CandidateProblem {
    public static let spotMulti = CandidateProblem(SpotMultiProblem())
}
