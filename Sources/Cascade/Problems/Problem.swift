import Foundation
import Sim
import SimCore

/// Everything the rest of sim-cascade needs of one problem: the candidate's contract, its
/// inputs, its levels, its calibration pool, its fitness and its report. A problem is a value
/// conforming to this protocol in `Problems/<Name>/`, listed once in `ProblemRegistry`; the
/// evaluator, calibration, `evolve` and the command line reach it only through
/// `CandidateProblem`, never by name.
public protocol Problem: Sendable {
    /// What candidates are evaluated on (a scenario set, workloads, tables, …).
    associatedtype Inputs: Sendable
    /// A valid candidate's score at the fine level, in the problem's terms.
    associatedtype Score: Sendable

    /// The name on the command line, in stores, reports and `fidelity-reports/NAME.json`.
    var name: String { get }
    /// The protocol a candidate's `Candidate` type conforms to.
    var protocolName: String { get }
    /// The driver class of `CandidateAPI` whose `make(Candidate.self)` the harness hands the host
    /// (e.g. `SpotPolicyDriver`); the host serves the driver it receives.
    var driverType: String { get }
    /// The candidate API's source files for this problem, relative to the package root (shown
    /// to an LLM generator).
    var apiSourceFiles: [String] { get }
    /// The starting candidate (`sim-cascade init NAME`), with one evolve block.
    var template: String { get }
    /// The fine level's metric a run optimises, and which way is better: evolve's fitness.
    var fitness: LevelMetric { get }
    /// The gates used until `calibrate` has measured better ones.
    var defaultGates: [LevelGate] { get }
    /// What one item of the inputs is called in tables (`scenarios`, `workloads`, …).
    var itemNoun: String { get }
    /// The eval report's key for the fine level's notes to an LLM.
    var notesKey: String { get }
    /// Where the inputs come from and which options name them.
    var inputFiles: ProblemInputFiles { get }
    /// Why a coarse level can rank the better half worse than the target (calibration report).
    var coarseRankingCaveat: String { get }
    /// What a calibration against the problem's real-system level measured and how (its
    /// report's introduction); empty for a problem without one.
    var systemLevelNote: String { get }

    /// The inputs `request` names, loaded and checked.
    /// - Throws: `SimError`, `CascadeError` for bad input.
    func loadInputs(_ request: InputRequest, catalog: InputCatalog) throws -> LoadedInputs<Inputs>
    /// The levels on `inputs`, cheapest first: the models, the last of them named `fine`, then
    /// any on-demand level above it (a real system, `FidelityLevel.onDemand`).
    func levels(for inputs: Inputs) throws -> [any FidelityLevel]
    /// The reference policy the gates compare with, as a calibration report names it.
    func referencePolicy(for inputs: Inputs) -> String
    /// A calibration pool of at most `size` candidates: baselines, variants of the template and
    /// at most 20 % bad ones.
    func calibrationPool(size: Int) -> [PoolCandidate]
    /// The search and held-out inputs of a calibration (`heldOutFile`: the user's, else the
    /// problem's default held-out inputs).
    func calibrationInputs(search: InputRequest, heldOutFile: String?, catalog: InputCatalog) throws
        -> (search: LoadedInputs<Inputs>, heldOut: LoadedInputs<Inputs>)
    /// The request that loads a calibration's held-out inputs with `loadInputs` (what a worker
    /// of a remote calibration is sent): `heldOutFile`, else the problem's default held-out
    /// inputs for `search` (a file, when they are found beside the search file).
    func calibrationHeldOutRequest(search: InputRequest, heldOutFile: String?, catalog: InputCatalog) throws -> InputRequest
    /// The named inputs evolve re-scores its best program on: the held-out inputs, and reference
    /// sets where the data is present.
    /// `search` is the request of the search inputs, whose settings (the scale, a shape) apply.
    func rescoreInputs(_ search: InputRequest, catalog: InputCatalog) throws -> [(name: String, inputs: LoadedInputs<Inputs>)]
    /// Writes a valid candidate's score into an `eval` report (snake_case keys, the names of the
    /// matching `simulate` report).
    func encode(_ score: Score, of inputs: LoadedInputs<Inputs>, to encoder: Encoder) throws
    /// The score as text lines, for `eval` without `--json`.
    func summary(_ score: Score, of inputs: LoadedInputs<Inputs>) -> [String]
    /// The embedded inputs `manifest` regenerates byte for byte (`traces generate`).
    func generatedFiles(manifest: URL) throws -> [GeneratedFile]
    /// The problem's trace model fitted to the reference data (`traces fit`), merged into the
    /// manifest at `manifest` when there is one; `nil` for a problem whose traces are not fitted.
    func fitTraces(referenceData: URL, manifest: URL) throws -> TraceFit?
    /// `sim-cascade bench`'s in-process workloads of the problem's simulator (those needing the
    /// reference data only when it is present).
    func benchmarks(runs: Int, catalog: InputCatalog) throws -> [BenchRow]
    /// How to reproduce the public evaluator's figure for a candidate late somewhere (`eval`'s
    /// diagnostic block); `nil` for a problem whose public evaluator scores as sim-cascade does.
    func publicEvaluatorCheck(for inputs: Inputs) -> PublicEvaluatorCheck?
}

extension Problem {
    public func referencePolicy(for inputs: Inputs) -> String { "the template" }

    public func calibrationInputs(search: InputRequest, heldOutFile: String?, catalog: InputCatalog) throws
        -> (search: LoadedInputs<Inputs>, heldOut: LoadedInputs<Inputs>) {
        let heldOut = try calibrationHeldOutRequest(search: search, heldOutFile: heldOutFile, catalog: catalog)
        return (try loadInputs(search, catalog: catalog), try loadInputs(heldOut, catalog: catalog))
    }

    /// `heldOutFile` at the search settings (but the embedded sets' scale, which a file
    /// replaces), else the embedded held-out set.
    public func calibrationHeldOutRequest(search: InputRequest, heldOutFile: String?, catalog: InputCatalog) throws -> InputRequest {
        var heldOut = search
        heldOut.file = heldOutFile
        heldOut.heldOut = heldOutFile == nil
        if heldOutFile != nil { heldOut.settings[InputScale.setting] = nil }
        return heldOut
    }

    public func rescoreInputs(_ search: InputRequest, catalog: InputCatalog) throws -> [(name: String, inputs: LoadedInputs<Inputs>)] {
        [("held-out", try loadInputs(search.heldOutRequest, catalog: catalog))]
    }

    public var coarseRankingCaveat: String { "" }

    public var systemLevelNote: String { "" }

    public func benchmarks(runs: Int, catalog: InputCatalog) throws -> [BenchRow] { [] }

    public func fitTraces(referenceData: URL, manifest: URL) throws -> TraceFit? { nil }

    public func publicEvaluatorCheck(for inputs: Inputs) -> PublicEvaluatorCheck? { nil }
}

/// A fitted trace model: what `traces fit --json` prints, the manifest to write, and a count.
public struct TraceFit: Sendable {
    public var fitted: any Encodable & Sendable
    public var manifest: any Encodable & Sendable
    /// e.g. `12 fitted profiles`.
    public var summary: String

    public init(fitted: any Encodable & Sendable, manifest: any Encodable & Sendable, summary: String) {
        (self.fitted, self.manifest, self.summary) = (fitted, manifest, summary)
    }
}

/// A problem's inputs, loaded, with what reports call them.
public struct LoadedInputs<Value: Sendable>: Sendable {
    public var value: Value
    /// A scenario set's name, a file name, …
    public var label: String

    public init(_ value: Value, label: String) {
        self.value = value
        self.label = label
    }
}

/// Which options name a problem's inputs, and its embedded defaults.
public struct ProblemInputFiles: Sendable {
    /// The option naming an input file: `scenarios` or `input`.
    public var fileOption: String
    /// Problem-specific settings the problem reads from `InputRequest.settings` (option names
    /// without dashes), e.g. `window`.
    public var settings: [String]
    /// `--held-out` (no file) selects the problem's embedded held-out inputs.
    public var hasHeldOutSet: Bool
    /// The folder of its embedded inputs, relative to the package root (`traces/NAME`).
    public var tracesFolder: String
    /// Manifests (relative to the package root) of research-scale inputs too large to commit:
    /// generated at first use into `GeneratedInputCache`, pinned by the `files.fnv1a` beside each.
    public var generatedAtFirstUse: [String]

    public init(fileOption: String, settings: [String] = [], hasHeldOutSet: Bool = false, tracesFolder: String,
                generatedAtFirstUse: [String] = []) {
        self.fileOption = fileOption
        self.settings = settings
        self.hasHeldOutSet = hasHeldOutSet
        self.tracesFolder = tracesFolder
        self.generatedAtFirstUse = generatedAtFirstUse
    }
}

/// The inputs a command asks for: a file, or the embedded search or held-out inputs, and the
/// problem's own settings (only those given).
public struct InputRequest: Sendable {
    /// As given on the command line; the catalog resolves it.
    public var file: String?
    /// Without a file: the problem's held-out inputs instead of its search inputs.
    public var heldOut: Bool
    /// Problem-specific settings by option name without dashes, as typed (`window`: `"50"`).
    public var settings: [String: String]

    public init(file: String? = nil, heldOut: Bool = false, settings: [String: String] = [:]) {
        self.file = file
        self.heldOut = heldOut
        self.settings = settings
    }

    /// The embedded inputs' scale (`--inputs`), research unless given.
    public var scale: InputScale { settings[InputScale.setting].flatMap(InputScale.init(rawValue:)) ?? .research }

    /// The problem's held-out inputs at this request's scale and settings.
    public var heldOutRequest: InputRequest { InputRequest(heldOut: true, settings: settings) }

    /// The `eval` options that make this request on another machine: the settings as options,
    /// the file (made absolute: the same path must hold the same file there) as `fileOption`,
    /// `--held-out`.
    public func evalArguments(fileOption: String, catalog: InputCatalog = .standard) -> [String] {
        settings.sorted { $0.key < $1.key }.flatMap { ["--\($0.key)", $0.value] }
            + (file.map { ["--\(fileOption)", catalog.userPath($0).path] } ?? []) + (heldOut ? ["--held-out"] : [])
    }

    /// A setting parsed by `parse`, or `nil` when not given.
    /// - Throws: `SimError.invalidParameter` naming `--name` when it does not parse.
    public func setting<T>(_ name: String, _ what: String, _ parse: (String) -> T?) throws -> T? {
        guard let text = settings[name] else { return nil }
        guard let value = parse(text) else { throw SimError.invalidParameter(name: "--" + name, value: text, reason: "expected \(what)") }
        return value
    }
}

/// Which of a problem's embedded inputs a command runs on (`--inputs`). A problem whose
/// research-scale inputs are generated at first use also ships a small committed set, for quick
/// runs and tests; a problem with one set answers both with it.
public enum InputScale: String, Sendable, CaseIterable {
    /// The search and held-out sets a score is trusted on (the default).
    case research
    /// The small committed sets.
    case small

    /// Its name among `InputRequest.settings`, which every problem takes.
    public static let setting = "inputs"
}

/// Starting candidates, one per problem, each in its problem's folder.
enum CandidateTemplates {}

/// A report's key, spelled as the JSON shows it (snake_case): what `Problem.encode` writes with.
public struct ReportKey: CodingKey, ExpressibleByStringLiteral {
    public var stringValue: String
    public var intValue: Int? { nil }
    public init(_ name: String) { stringValue = name }
    public init(stringLiteral name: String) { stringValue = name }
    public init?(stringValue: String) { self.stringValue = stringValue }
    public init?(intValue: Int) { nil }
}
