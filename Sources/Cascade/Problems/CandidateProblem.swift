import Foundation
import Sim
import SimCore

/// A registered problem, as the rest of the system holds it: compared and stored by name, and
/// reaching its `Problem` for everything else. Its inputs and scores travel type-erased
/// (`CandidateInputs`, `CandidateScore`); only the problem that made them opens them.
public struct CandidateProblem: Sendable, Hashable, CustomStringConvertible {
    public let definition: any Problem

    public init(_ definition: some Problem) {
        self.definition = definition
    }

    /// The problem's name (`fidelity-reports/NAME.json`, `--problem NAME`, a store's problem).
    public var rawValue: String { definition.name }
    public var description: String { rawValue }

    /// Every registered problem, in the registry's order.
    public static var allCases: [CandidateProblem] { ProblemRegistry.problems }

    /// The registered problem named `rawValue`, if any.
    public init?(rawValue: String) {
        guard let problem = ProblemRegistry.problems.first(where: { $0.rawValue == rawValue }) else { return nil }
        self = problem
    }

    /// - Throws: `CascadeError.unknownProblem`.
    public init(named name: String) throws {
        guard let problem = CandidateProblem(rawValue: name) else {
            throw CascadeError.unknownProblem(name, known: Self.allCases.map(\.rawValue))
        }
        self = problem
    }

    public static func == (a: CandidateProblem, b: CandidateProblem) -> Bool { a.rawValue == b.rawValue }
    public func hash(into hasher: inout Hasher) { hasher.combine(rawValue) }

    /// The harness compiled into the candidate's module: it exports the one symbol the prebuilt
    /// host (which owns `main`) calls, a driver of the problem made for `Candidate` — so a
    /// missing type or a wrong conformance is a compile error in the candidate's terms, and
    /// every call into the policy is specialised in the candidate's build. Names are qualified
    /// so that a candidate's own declarations do not capture them by accident; one that shadows
    /// them on purpose (or brings its own `main`) only fails itself: the parent validates every
    /// answer whatever runs in the child.
    var harness: String {
        """
        import CandidateAPI

        @_silgen_name("sim_cascade_candidate_driver")
        public func simCascadeCandidateDriver() -> Swift.AnyObject { CandidateAPI.\(definition.driverType).make(Candidate.self) }

        """
    }

    /// The fine level's metric a run optimises, and which way is better: evolve's fitness.
    public var fitness: LevelMetric { definition.fitness }
    /// The protocol a candidate's `Candidate` type conforms to.
    public var protocolName: String { definition.protocolName }
    /// The candidate API's source files for this problem, relative to the package root.
    public var apiSourceFiles: [String] { definition.apiSourceFiles }
    /// The starting candidate printed by `sim-cascade init PROBLEM`.
    public var template: String { definition.template }

    /// The problem `source` seems written for when it names another problem's protocol and not
    /// this one's: a hint for a compile error, never a decision.
    public func otherProblem(suggestedBy source: String) -> CandidateProblem? {
        guard !source.contains(protocolName) else { return nil }
        return Self.allCases.first { $0 != self && source.contains($0.protocolName) }
    }

    /// The template with `body` as its evolve block (indented like the block), everything
    /// outside the block — its helper types — kept.
    /// - Complexity: O(template length).
    public func template(withBlock body: String) -> String {
        let template = self.template
        guard let start = template.range(of: "// EVOLVE-BLOCK-START\n"), let end = template.range(of: "// EVOLVE-BLOCK-END") else {
            preconditionFailure("every template marks its evolve block")
        }
        let indented = body.split(separator: "\n", omittingEmptySubsequences: false).map { "        " + $0 }.joined(separator: "\n")
        return String(template[..<start.upperBound]) + indented + "\n        " + String(template[end.lowerBound...])
    }

    // MARK: Inputs

    /// Refuses a setting (`window`, `model`, …) this problem does not take, naming the problems
    /// that do.
    /// - Throws: `CascadeError.missingOption`.
    public func check(settings: [String: String]) throws {
        if let scale = settings[InputScale.setting], InputScale(rawValue: scale) == nil {
            throw CascadeError.invalidBudget(name: "--\(InputScale.setting)", value: scale,
                                             reason: "expected \(InputScale.allCases.map(\.rawValue).joined(separator: " or "))")
        }
        for name in settings.keys.sorted() where name != InputScale.setting && !definition.inputFiles.settings.contains(name) {
            let takers = Self.allCases.filter { $0.definition.inputFiles.settings.contains(name) }
            throw CascadeError.missingOption(takers.map { "--problem \($0.rawValue)" }.joined(separator: " or "), because: "with --\(name)")
        }
    }

    /// The inputs `request` names, loaded and checked.
    /// - Throws: `SimError`, `CascadeError` for bad input.
    public func loadInputs(_ request: InputRequest, catalog: InputCatalog) throws -> CandidateInputs {
        try check(settings: request.settings)
        let recording = catalog.recordingReads()
        var inputs = try definition.erasedLoad(request, catalog: recording)
        inputs.sources = InputSources(files: recording.reads?.files ?? [], settings: request.settings,
                                      loadedSignature: recording.reads?.signature ?? [])
        return inputs
    }

    /// The search and held-out inputs of a calibration.
    public func calibrationInputs(search: InputRequest, heldOutFile: String?, catalog: InputCatalog) throws
        -> (search: CandidateInputs, heldOut: CandidateInputs) {
        try check(settings: search.settings)
        return try definition.erasedCalibrationInputs(search: search, heldOutFile: heldOutFile, catalog: catalog)
    }

    /// What a remote calibration's workers load as the held-out inputs
    /// (`Problem.calibrationHeldOutRequest`).
    public func calibrationHeldOutRequest(search: InputRequest, heldOutFile: String?, catalog: InputCatalog) throws -> InputRequest {
        try definition.calibrationHeldOutRequest(search: search, heldOutFile: heldOutFile, catalog: catalog)
    }

    /// What evolve re-scores its best program on.
    public func rescoreInputs(_ search: InputRequest, catalog: InputCatalog) throws -> [(name: String, inputs: CandidateInputs)] {
        try check(settings: search.settings)
        return try definition.erasedRescoreInputs(search, catalog: catalog)
    }

    /// At most `size` calibration candidates.
    public func calibrationPool(size: Int) -> [PoolCandidate] { definition.calibrationPool(size: size) }

    /// `bench`'s in-process workloads of the problem's simulator.
    public func benchmarks(runs: Int, catalog: InputCatalog) throws -> [BenchRow] {
        try definition.benchmarks(runs: runs, catalog: catalog)
    }

    /// The trace model fitted to the reference data, or `nil` when the problem has none.
    public func fitTraces(referenceData: URL, manifest: URL) throws -> TraceFit? {
        try definition.fitTraces(referenceData: referenceData, manifest: manifest)
    }

    /// The embedded inputs `manifest` regenerates.
    public func generatedFiles(manifest: URL) throws -> [GeneratedFile] { try definition.generatedFiles(manifest: manifest) }
}

/// The inputs a candidate is evaluated on: a problem's `Inputs`, made by that problem.
public struct CandidateInputs: Sendable {
    public let problem: CandidateProblem
    /// What reports call the inputs (a scenario set's name, a file name).
    public let label: String
    let value: any Sendable
    /// What the inputs were loaded from (`loadInputs`'s; `nil` for a calibration's or a
    /// re-score's sets).
    public internal(set) var sources: InputSources?

    init<P: Problem>(_ problem: P, _ loaded: LoadedInputs<P.Inputs>) {
        self.problem = CandidateProblem(problem)
        self.label = loaded.label
        self.value = loaded.value
    }
}

/// A valid candidate's score, in its problem's terms (`Problem.Score`).
public struct CandidateScore: Sendable {
    let value: any Sendable

    public init(_ value: some Sendable) {
        self.value = value
    }
}

extension Problem {
    /// `inputs` as this problem's: they can only have been made by it (`CandidateInputs` is
    /// built by `erase`), so a mismatch is a programming error.
    func open(_ inputs: CandidateInputs) -> LoadedInputs<Inputs> {
        guard let value = inputs.value as? Inputs else {
            preconditionFailure("problem \(name) was handed the inputs of \(inputs.problem.rawValue)")
        }
        return LoadedInputs(value, label: inputs.label)
    }

    func erase(_ loaded: LoadedInputs<Inputs>) -> CandidateInputs { CandidateInputs(self, loaded) }

    func erasedLoad(_ request: InputRequest, catalog: InputCatalog) throws -> CandidateInputs {
        erase(try loadInputs(request, catalog: catalog))
    }

    func erasedCalibrationInputs(search: InputRequest, heldOutFile: String?, catalog: InputCatalog) throws
        -> (search: CandidateInputs, heldOut: CandidateInputs) {
        let (s, h) = try calibrationInputs(search: search, heldOutFile: heldOutFile, catalog: catalog)
        return (erase(s), erase(h))
    }

    func erasedRescoreInputs(_ search: InputRequest, catalog: InputCatalog) throws -> [(name: String, inputs: CandidateInputs)] {
        try rescoreInputs(search, catalog: catalog).map { ($0.name, erase($0.inputs)) }
    }

    func erasedLevels(_ inputs: CandidateInputs) throws -> [any FidelityLevel] { try levels(for: open(inputs).value) }

    func erasedPublicEvaluatorCheck(_ inputs: CandidateInputs) -> PublicEvaluatorCheck? {
        publicEvaluatorCheck(for: open(inputs).value)
    }

    func erasedReferencePolicy(_ inputs: CandidateInputs) -> String { referencePolicy(for: open(inputs).value) }

    func erasedEncode(_ score: CandidateScore, _ inputs: CandidateInputs, to encoder: Encoder) throws {
        guard let score = score.value as? Score else { preconditionFailure("problem \(name) was handed another problem's score") }
        try encode(score, of: open(inputs), to: encoder)
    }

    func erasedSummary(_ score: CandidateScore, _ inputs: CandidateInputs) -> [String] {
        guard let score = score.value as? Score else { preconditionFailure("problem \(name) was handed another problem's score") }
        return summary(score, of: open(inputs))
    }
}

extension CandidateProblem {
    /// The problem's levels on `inputs`, cheapest first.
    func levels(_ inputs: CandidateInputs) throws -> [any FidelityLevel] { try definition.erasedLevels(inputs) }

    /// The names of the levels that run only when asked for (`FidelityLevel.onDemand`).
    public func onDemandLevels(_ inputs: CandidateInputs) throws -> [String] { try levels(inputs).filter(\.onDemand).map(\.name) }

    /// Every level's name on `inputs`, cheapest first.
    public func levelNames(_ inputs: CandidateInputs) throws -> [String] { try levels(inputs).map(\.name) }

    /// The names of the fine level's metrics on `inputs` (what `evolve` may use as features).
    public func fineMetricNames(_ inputs: CandidateInputs) throws -> [String] {
        try levels(inputs).last { !$0.onDemand }?.metrics.map(\.name) ?? []
    }

    /// The public evaluator's diagnostic run on `inputs`, for problems that have one.
    public func publicEvaluatorCheck(_ inputs: CandidateInputs) -> PublicEvaluatorCheck? {
        definition.erasedPublicEvaluatorCheck(inputs)
    }

    /// Writes a valid score into an `eval` report.
    public func encode(_ score: CandidateScore, of inputs: CandidateInputs, to encoder: Encoder) throws {
        try definition.erasedEncode(score, inputs, to: encoder)
    }

    /// A valid score as text lines.
    public func summary(_ score: CandidateScore, of inputs: CandidateInputs) -> [String] {
        definition.erasedSummary(score, inputs)
    }
}
