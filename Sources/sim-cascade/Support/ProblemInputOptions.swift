import ArgumentParser
import Cascade
import Sim
import SimCore

/// `--problem` and `init PROBLEM` take a registered problem by name; help lists every name.
extension CandidateProblem: ExpressibleByArgument {
    public init?(argument: String) { self.init(rawValue: argument) }
    public static var allValueStrings: [String] { allCases.map(\.rawValue) }
    public var defaultValueDescription: String { rawValue }
}

/// `--inputs research|small`; help lists both.
extension InputScale: ExpressibleByArgument {}

/// The options that name a problem's inputs, shared by `eval` and `calibrate`: a file (each
/// problem reads `--scenarios` or `--input`) and the settings some problems take. Which apply
/// is the problem's to say (`Problem.inputFiles`); one that does not is refused, naming the
/// problems it applies to.
struct ProblemInputOptions: ParsableArguments {
    @Option(help: "spot, spot-multi: a scenario file (default: the embedded search set; see --inputs).")
    var scenarios: String?

    @Option(help: "The embedded inputs without a file: research (default; spot's 43,200 scenarios, generated at first use) or small (the committed quick sets). Problems with one set use it for both.")
    var inputs: InputScale?

    @Option(help: "An input file (see the matching simulate command; default: the embedded search inputs under traces/PROBLEM/). For spot and spot-multi, a scenario file, as --scenarios.")
    var input: String?

    @Option(help: "spot-multi: reference (the public evaluator's billing, exactly) or corrected (default).")
    var model: MultiRegionModel?

    @Option(help: "spot-multi, corrected model: extra overhead when a running instance moves to another region, in hours.")
    var migrationOverheadHours: Double?

    @Option(help: "eplb: records per window of a load history (default: the file's, else 100).")
    var window: Int?

    @OptionGroup var shape: EPLBShapeOptions

    func validate() throws {
        if let window, window < 1 { throw CLIError.invalidValue("--window", "\(window)", "must be positive") }
        if let hours = migrationOverheadHours, !(hours.isFinite && hours >= 0 && hours <= 1e6) {
            throw CLIError.invalidValue("--migration-overhead-hours", "\(hours)", "must be in [0, 1000000] hours")
        }
    }

    /// The request for `problem`, with `--held-out` when `heldOut`.
    /// - Throws: `CLIError` for a file option the problem does not read, or `--held-out` where it has none.
    func request(for problem: CandidateProblem, heldOut: Bool = false) throws -> InputRequest {
        let files = problem.definition.inputFiles
        // `--input` names any problem's input file (a caller need not know which option a problem
        // reads); `--scenarios` only a scenario file.
        let named = [("scenarios", scenarios), ("input", input)].filter { $0.1 != nil }
        if named.count > 1 { throw CLIError.conflictingOptions("--scenarios", "--input") }
        if let (option, _) = named.first(where: { $0.0 != files.fileOption && $0.0 != "input" }) {
            throw CLIError.conflictingOptions("--problem \(problem.rawValue)", "--\(option) (use --\(files.fileOption))")
        }
        let file = named.first?.1
        if inputs != nil, file != nil { throw CLIError.conflictingOptions("--inputs", "--\(files.fileOption)") }
        if heldOut && (file != nil || !files.hasHeldOutSet) {
            throw CLIError.conflictingOptions("--held-out", file != nil ? "--\(files.fileOption)" : "--problem \(problem.rawValue)")
        }
        var settings = shape.settings
        settings["model"] = model?.rawValue
        settings["migration-overhead-hours"] = migrationOverheadHours.map { "\($0)" }
        settings["window"] = window.map { "\($0)" }
        settings[InputScale.setting] = inputs?.rawValue
        // The problem checks the settings it takes when it loads the inputs.
        return InputRequest(file: file, heldOut: heldOut, settings: settings)
    }
}
