import CandidateAPI
import Foundation
import Sim
import SimCore

/// MoE expert placement (EPLB): a placer maps logical experts to physical replicas on GPUs from a
/// window of load; the placement is scored on the next window.
public struct EPLBProblem: Problem {
    /// A load history cut into windows (or one instance, scored on its own weight) and its shape.
    public struct Inputs: Sendable {
        public var windows: [[[Double]]]
        public var shape: EPLBShape
        /// A single instance: its weight is both windows.
        public var isInstance: Bool
        /// Records per window of a history.
        public var window: Int?

        public init(windows: [[[Double]]], shape: EPLBShape, isInstance: Bool = false, window: Int? = nil) {
            self.windows = windows
            self.shape = shape
            self.isInstance = isInstance
            self.window = window
        }
    }
    public typealias Score = EPLBHistoryResult

    public init() {}

    public var name: String { "eplb" }
    public var protocolName: String { "ExpertPlacer" }
    public var driverType: String { "ExpertPlacerDriver" }
    public var apiSourceFiles: [String] { ["Sources/CandidateAPI/EPLB.swift"] }
    public var template: String { CandidateTemplates.eplb }
    public var fitness: LevelMetric { LevelMetric(name: "throughput_tokens_per_second", lowerIsBetter: false) }
    /// Higher is better here: reject below the factor × DeepSeek's EPLB's balancedness.
    public var defaultGates: [LevelGate] {
        [LevelGate(level: "cost_model", metric: "mean_balancedness_self", factor: 0.8),
         LevelGate(level: "coarse", metric: "mean_balancedness_gpu", factor: 0.9)]
    }
    public var itemNoun: String { "windows" }
    public var notesKey: String { "serving_notes" }
    public var inputFiles: ProblemInputFiles {
        ProblemInputFiles(fileOption: "input", settings: ["window"] + ShapeOverride.options, hasHeldOutSet: true,
                          tracesFolder: Self.traces, generatedAtFirstUse: [Self.researchManifest])
    }
    public var coarseRankingCaveat: String {
        "The coarse level scores each placement's balance on the next window; the fine level also "
            + "prices the all-to-all and, above all, moving expert weights when the placement changes. Placers that "
            + "keep their last placement unless a new one is clearly better balance about as well at the coarse "
            + "level but serve faster, so among the better half the two rankings part."
    }

    static let traces = "traces/eplb"
    static let defaultHistory = "v3-history.json"
    /// The research-scale V3 histories (60 records of 100 serving steps, 10× the small one's),
    /// generated at first use (`GeneratedInputCache`).
    static let researchManifest = "traces/eplb/research/manifest.json"

    /// `--replicas/--groups/--nodes/--gpus`, each overriding the file's value.
    public struct ShapeOverride: Sendable, Equatable {
        public var replicas, groups, nodes, gpus: Int?
        public static let options = ["replicas", "groups", "nodes", "gpus"]

        public init(replicas: Int? = nil, groups: Int? = nil, nodes: Int? = nil, gpus: Int? = nil) {
            (self.replicas, self.groups, self.nodes, self.gpus) = (replicas, groups, nodes, gpus)
        }

        /// From an input request's settings.
        init(_ request: InputRequest) throws {
            let values = try Self.options.map { try request.setting($0, "a whole number", { Int($0) }) }
            self.init(replicas: values[0], groups: values[1], nodes: values[2], gpus: values[3])
        }

        /// Each given value within its limit — checked before any file is read.
        /// - Throws: `SimError.invalidParameter` naming the option.
        public func checked() throws -> Self {
            for ((option, limit), value) in zip(EPLBLimits.byOption, [replicas, groups, nodes, gpus]) {
                if let value, !(1...limit).contains(value) {
                    throw SimError.invalidParameter(name: option, value: "\(value)", reason: "must be in [1, \(limit)] (\(EPLBLimits.summary))")
                }
            }
            return self
        }

        /// The shape these options give alone, when all four are set.
        public var complete: EPLBShape? {
            guard let replicas, let groups, let nodes, let gpus else { return nil }
            return EPLBShape(replicas: replicas, groups: groups, nodes: nodes, gpus: gpus)
        }

        public func applied(to base: EPLBShape) -> EPLBShape {
            EPLBShape(replicas: replicas ?? base.replicas, groups: groups ?? base.groups, nodes: nodes ?? base.nodes,
                      gpus: gpus ?? base.gpus)
        }

        /// A history's shape: the file's, else DeepSeek-V3's for 256 experts, else these options'.
        /// - Throws: `CascadeError.missingOption` when none names it.
        public func shape(of history: EPLBLoadHistory) throws -> EPLBShape {
            guard let base = history.shape ?? (history.experts == 256 ? .deepSeekV3 : nil) ?? complete else {
                throw CascadeError.missingOption("--replicas, --groups, --nodes and --gpus",
                                                 because: "for a load history that does not name its shape")
            }
            return applied(to: base)
        }
    }

    /// An EPLB input file: `path` as given or in the reference data; without one, the embedded
    /// V3-shaped history at research scale (generated at first use) or the small committed one,
    /// or with `heldOut` its held-out twin.
    public static func inputFile(_ path: String?, heldOut: Bool = false, scale: InputScale = .research,
                                 catalog: InputCatalog) throws -> URL {
        if let path { return try catalog.dataFile(path) }
        let name = heldOut ? EPLBHistoryManifest.heldOutName(defaultHistory) : defaultHistory
        return try EPLBProblem().embeddedFile(scale, small: "\(traces)/" + name, research: name, manifest: researchManifest, catalog: catalog)
    }

    /// Settings: `window` (records per window of a history; default the file's, else 100) and
    /// the shape overrides.
    public func loadInputs(_ request: InputRequest, catalog: InputCatalog) throws -> LoadedInputs<Inputs> {
        let override = try ShapeOverride(request).checked()
        let window = try request.setting("window", "a whole number", { Int($0) })
        if let window, window < 1 { throw SimError.invalidParameter(name: "--window", value: "\(window)", reason: "must be positive") }
        let url = try Self.inputFile(request.file, heldOut: request.heldOut, scale: request.scale, catalog: catalog)
        switch try EPLBInputFile.load(from: url) {
        case .instance(let instance):
            if window != nil {
                throw CascadeError.conflictingOptions("--window", "a single instance")
            }
            let shape = override.applied(to: EPLBShape(replicas: instance.replicas, groups: instance.groups,
                                                       nodes: instance.nodes, gpus: instance.gpus))
            try DeepSeekEPLB.validate(shape.input(instance.weights))
            return LoadedInputs(Inputs(windows: [instance.weights, instance.weights], shape: shape, isInstance: true),
                                label: url.lastPathComponent)
        case .history(let history):
            let shape = try override.shape(of: history)
            let size = window ?? history.window ?? 100
            guard size > 0 else { throw SimError.invalidParameter(name: "--window", value: "\(size)", reason: "must be positive") }
            let windows = history.windows(size: size)
            guard windows.count >= 2 else {
                throw SimError.invalidParameter(name: "--window", value: "\(size)",
                                                reason: "leaves \(windows.count) window(s) of \(history.records.count) records; need 2")
            }
            try DeepSeekEPLB.validate(shape.input(windows[0]))
            return LoadedInputs(Inputs(windows: windows, shape: shape, window: size), label: url.lastPathComponent)
        }
    }

    public func levels(for inputs: Inputs) throws -> [any FidelityLevel] {
        EPLBLevels.make(windows: inputs.windows, shape: inputs.shape)
    }

    public func referencePolicy(for inputs: Inputs) -> String { "DeepSeek's EPLB (the template)" }

    public func calibrationPool(size: Int) -> [PoolCandidate] { EPLBCandidatePool.make(size: size) }

    /// Two load histories that name one shape, each cut at its own window; the held-out one
    /// defaults to the search history's `-heldout` twin beside it.
    public func calibrationInputs(search: InputRequest, heldOutFile: String?, catalog: InputCatalog) throws
        -> (search: LoadedInputs<Inputs>, heldOut: LoadedInputs<Inputs>) {
        if let setting = search.settings.keys.sorted().first(where: { $0 != InputScale.setting }) {
            throw CascadeError.conflictingOptions("--\(setting)", "calibrate (each history is cut at its own window, in its own shape)")
        }
        let searchURL = try Self.inputFile(search.file, scale: search.scale, catalog: catalog)
        let heldURL = try heldOutFile.map { try catalog.dataFile($0) } ?? Self.heldOutTwin(of: searchURL)
        func history(_ url: URL, _ option: String) throws -> LoadedInputs<Inputs> {
            guard case .history(let h) = try EPLBInputFile.load(from: url), let shape = h.shape else {
                throw SimError.invalidParameter(name: option, value: url.path, reason: "calibration needs a load history that names its shape")
            }
            return LoadedInputs(Inputs(windows: h.windows(size: h.window ?? 100), shape: shape), label: url.lastPathComponent)
        }
        let (s, h) = (try history(searchURL, "--input"), try history(heldURL, "--held-out"))
        guard h.value.shape == s.value.shape else {
            throw SimError.invalidParameter(name: "--held-out", value: heldURL.path, reason: "has another shape than the search history")
        }
        return (s, h)
    }

    /// The held-out history beside a search history: `NAME-heldout.json`.
    static func heldOutTwin(of search: URL) -> URL {
        search.deletingLastPathComponent().appendingPathComponent(EPLBHistoryManifest.heldOutName(search.lastPathComponent))
    }

    /// `heldOutFile`, else the search history's twin: the embedded held-out history, or the
    /// file beside a search file (by its resolved path: a worker is not to look elsewhere).
    public func calibrationHeldOutRequest(search: InputRequest, heldOutFile: String?, catalog: InputCatalog) throws -> InputRequest {
        if let heldOutFile { return InputRequest(file: heldOutFile) }
        guard let file = search.file else { return InputRequest(heldOut: true, settings: search.settings) }
        return InputRequest(file: Self.heldOutTwin(of: try Self.inputFile(file, catalog: catalog)).path)
    }

    public func encode(_ result: EPLBHistoryResult, of inputs: LoadedInputs<Inputs>, to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: ReportKey.self)
        if inputs.value.isInstance, let only = result.scores.first {
            try c.encode(only.placement.phy2log, forKey: "phy2log")
            try c.encode(only.placement.logcnt, forKey: "logcnt")
            try c.encode(only.placement.log2phy, forKey: "log2phy")
            try c.encode(only.balancedness.gpu, forKey: "balancedness_gpu")
            try c.encode(only.balancedness.slot, forKey: "balancedness_slot")
            try c.encode(only.runtimeSeconds, forKey: "runtime_seconds")
        } else {
            try c.encode(result.windows, forKey: "windows")
            try c.encode(inputs.value.window, forKey: "window")
            try c.encode(result.meanGPU, forKey: "mean_balancedness_gpu")
            try c.encode(result.meanSlot, forKey: "mean_balancedness_slot")
            try c.encode(result.meanRuntime, forKey: "mean_runtime_seconds")
            try c.encode(result.scores.map(EPLBScoredWindow.init), forKey: "scored")
        }
        if let serving = result.serving {
            try c.encode(EPLBServingReport(serving), forKey: "serving")
        }
    }

    public func summary(_ result: EPLBHistoryResult, of inputs: LoadedInputs<Inputs>) -> [String] {
        var lines: [String] = []
        if let serving = result.serving {
            lines.append("serving (step-level simulation): \(fixed(serving.throughput, 0)) tokens/s, mean step "
                + "\(fixed(serving.meanStepSeconds * 1e3, 3)) ms, p99 \(fixed(serving.p99StepSeconds * 1e3, 3)) ms, "
                + "\(serving.movedExperts) replicas moved")
        }
        lines.append("mean balancedness per GPU \(fixed(result.meanGPU, 6)), per slot \(fixed(result.meanSlot, 6)), "
            + "mean runtime \(fixed(result.meanRuntime * 1e3, 3)) ms over \(result.scores.count) placement(s)")
        return lines
    }

    public func generatedFiles(manifest: URL) throws -> [GeneratedFile] {
        EPLBHistoryGenerator(manifest: try EPLBHistoryManifest.load(from: manifest)).files()
    }
}

extension CandidateProblem {
    public static let eplb = CandidateProblem(EPLBProblem())
}
