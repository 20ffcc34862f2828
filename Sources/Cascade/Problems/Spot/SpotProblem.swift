import CandidateAPI
import Foundation
import Sim
import SimCore

/// Single-region spot ("Can't Be Late"): a policy picks spot, on-demand or nothing each tick
/// so that a job finishes before its deadline at the least cost.
public struct SpotProblem: Problem {
    public typealias Inputs = SpotScenarioSet
    public typealias Score = SpotSetResult

    public init() {}

    public var name: String { "spot" }
    public var protocolName: String { "SpotPolicy" }
    public var driverType: String { "SpotPolicyDriver" }
    public var apiSourceFiles: [String] { ["Sources/CandidateAPI/Spot.swift"] }
    public var template: String { CandidateTemplates.spot }
    public var fitness: LevelMetric { LevelMetric(name: "mean_cost", lowerIsBetter: true) }
    public var defaultGates: [LevelGate] { Self.gates }
    public var itemNoun: String { "scenarios" }
    public var notesKey: String { "worst_scenarios" }
    public var inputFiles: ProblemInputFiles {
        ProblemInputFiles(fileOption: "scenarios", hasHeldOutSet: true, tracesFolder: Self.traces,
                          generatedAtFirstUse: [Self.researchManifest])
    }
    public var coarseRankingCaveat: String {
        "Among the better half the candidates differ by little, and a 10 % sample's noise is of the same size."
    }

    static let traces = "traces/spot"
    /// The manifest of the research-scale sets, generated at first use (`GeneratedInputCache`).
    static let researchManifest = "traces/spot/research/manifest.json"
    /// The reference data's folder of single-region files, where relative names are looked up.
    static let referenceFolder = "spot/single_region"

    /// Reject a candidate whose cheap-level mean cost is clearly worse than the template's there.
    static let gates = [
        LevelGate(level: "cost_model", metric: "mean_cost", factor: 1.25),
        LevelGate(level: "coarse", metric: "mean_cost", factor: 1.10),
    ]

    /// A spot input file: `path` as given or in the reference data's `spot/single_region/`; without
    /// one, the embedded search set, or with `heldOut` the held-out set (traces from another
    /// seed, never seen in search): at research scale (43,200 scenarios, generated at first use
    /// into the cache) or the small committed one (1,440).
    public static func scenarioFile(_ path: String?, heldOut: Bool = false, scale: InputScale = .research,
                                    catalog: InputCatalog) throws -> URL {
        if let path { return try catalog.dataFile(path, under: [referenceFolder]) }
        return try SpotProblem().embeddedFile(scale, small: "\(traces)/scenarios-small\(heldOut ? "-heldout" : "").json",
                                              research: "scenarios-\(heldOut ? "heldout" : "search").json",
                                              manifest: researchManifest, catalog: catalog)
    }

    public func loadInputs(_ request: InputRequest, catalog: InputCatalog) throws -> LoadedInputs<SpotScenarioSet> {
        let file = try Self.scenarioFile(request.file, heldOut: request.heldOut, scale: request.scale, catalog: catalog)
        let set = try SpotScenarioSet.load(from: file)
        // The base traces the scenario file names (relative to it) are inputs too.
        for path in set.scenarios.map(\.baseTracePath) { _ = catalog.noted(URL(fileURLWithPath: path)) }
        return LoadedInputs(set, label: set.name)
    }

    public func levels(for inputs: SpotScenarioSet) throws -> [any FidelityLevel] { try SpotLevels.make(search: inputs) }

    public func referencePolicy(for inputs: SpotScenarioSet) -> String { "greedy (the template)" }

    /// Every scenario, a late finish scored like the others: the public evaluator has one model,
    /// so a valid candidate's fine score already is its figure.
    public func publicEvaluatorCheck(for inputs: SpotScenarioSet) -> PublicEvaluatorCheck? {
        PublicEvaluatorCheck(model: "reference", level: SpotFidelityLevel(name: "public_evaluator", set: inputs, failOnDeadlineMiss: false),
                             fineScoreIsPublic: true) { score in
            guard let result = score.value as? SpotSetResult, result.results.count == inputs.scenarios.count else { return nil }
            let finish = result.results.map { Double($0.endTick) * inputs.gapSeconds }
            let lateness = result.results.indices.filter { !result.results[$0].deadlineMet }
                .map { (finish[$0] - inputs.scenarios[$0].deadlineHours * 3600) / 3600 }
            return PublicEvaluatorFigures(model: "reference", meanCost: result.meanCost, runs: result.results.count,
                                          lateRuns: lateness.count, latestFinishHours: (finish.max() ?? 0) / 3600,
                                          maxLatenessHours: max(lateness.max() ?? 0, 0))
        }
    }

    public func calibrationPool(size: Int) -> [PoolCandidate] { SpotCandidatePool.make(size: size) }

    /// The held-out set, and the published adrs-1080 set when the reference data is present.
    public func rescoreInputs(_ search: InputRequest, catalog: InputCatalog) throws -> [(name: String, inputs: LoadedInputs<SpotScenarioSet>)] {
        var sets = [("held-out", try loadInputs(search.heldOutRequest, catalog: catalog))]
        if let adrs = try? catalog.dataFile("scenarios-adrs-1080.json", under: [Self.referenceFolder]) {
            let set = try SpotScenarioSet.load(from: adrs)
            sets.append(("adrs-1080", LoadedInputs(set, label: set.name)))
        }
        return sets
    }

    public func encode(_ score: SpotSetResult, of inputs: LoadedInputs<SpotScenarioSet>, to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: ReportKey.self)
        try c.encode(inputs.value.name, forKey: "scenario_set")
        try c.encode(inputs.value.scenarios.count, forKey: "count")
        try c.encode(score.meanCost, forKey: "mean_cost")
        try c.encode(score.stdCost, forKey: "std_cost")
        try c.encode(score.deadlineMisses, forKey: "deadline_misses")
        try c.encode(SpotSetReport(policy: "candidate", set: inputs.value, outcome: score).rows, forKey: "results")
    }

    public func summary(_ score: SpotSetResult, of inputs: LoadedInputs<SpotScenarioSet>) -> [String] {
        ["mean_cost \(fixed(score.meanCost, 4)) $, std_cost \(fixed(score.stdCost, 4)) $, deadline_misses \(score.deadlineMisses)"]
    }

    public func generatedFiles(manifest: URL) throws -> [GeneratedFile] {
        SpotTraceSetGenerator(manifest: try SpotTraceManifest.load(from: manifest)).files()
    }
}

extension CandidateProblem {
    public static let spot = CandidateProblem(SpotProblem())
}
