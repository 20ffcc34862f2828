import Foundation
import SimCore

/// The gates and budgets of a cascade, as a file holds them: `{"gates": [{"level", "metric",
/// "factor", "sequential"?: {"batches", "confidence", "seed"}}, …], "budgets": [{"level",
/// "wall_seconds", "cpu_seconds"?}, …], "cascade_levels"?: [names]}` — written by hand, or the
/// `recommended_gates`, `recommended_budgets` and `recommended_levels` of a calibration report.
/// `"gates_relative_to"?: "initial" | "parent"` is for `evolve` (an evolve run's
/// `evolve-gates.json`, calibrated on its children); `eval` always gates against the template.
public struct GatesFile: Sendable, Equatable {
    public var gates: [LevelGate]
    public var budgets: [StageBudget]
    /// The levels to run (`nil`: all); a calibration keeps every level, or the fine level alone
    /// when the gated cascade did not beat it on the pool (or lost top-decile candidates).
    public var levels: [String]?
    /// What evolve's gates compare a child with (`nil`: the template, as `eval`).
    public var relativeTo: String?
    /// Where the factors were calibrated (free text).
    public var note: String?

    public init(gates: [LevelGate], budgets: [StageBudget] = [], levels: [String]? = nil, relativeTo: String? = nil,
                note: String? = nil) {
        self.gates = gates
        self.budgets = budgets
        self.levels = levels
        self.relativeTo = relativeTo
        self.note = note
    }

    /// The file's JSON (the keys `load` reads), keys sorted.
    public func encoded() throws -> Data {
        struct Out: Encodable {
            var gates: [LevelGate]
            var budgets: [StageBudget]
            var cascade_levels: [String]?
            var gates_relative_to: String?
            var note: String?
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(Out(gates: gates, budgets: budgets, cascade_levels: levels, gates_relative_to: relativeTo,
                                      note: note)) + Data("\n".utf8)
    }

    private struct File: Decodable {
        var gates: [LevelGate]?
        var recommended_gates: [LevelGate]?
        var budgets: [StageBudget]?
        var recommended_budgets: [StageBudget]?
        // Not `levels`: a calibration report uses that key for its level summaries.
        var cascade_levels: [String]?
        var recommended_levels: [String]?
        var gates_relative_to: String?
        var note: String?
    }

    /// - Throws: `CascadeError.invalidBudget` naming the file when it does not parse.
    public static func load(from url: URL) throws -> GatesFile {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw CascadeError.invalidBudget(name: "gates file", value: url.path, reason: "no such file")
        }
        guard let file = try? JSONDecoder().decode(File.self, from: data), let gates = file.gates ?? file.recommended_gates else {
            throw CascadeError.invalidBudget(name: "gates file", value: url.path,
                                             reason: "expected {\"gates\": [{\"level\", \"metric\", \"factor\", \"sequential\"?}, …], "
                                                + "\"budgets\"?: [{\"level\", \"wall_seconds\", \"cpu_seconds\"?}, …]}")
        }
        if let reference = file.gates_relative_to, !["initial", "parent"].contains(reference) {
            throw CascadeError.invalidBudget(name: "gates file", value: url.path,
                                             reason: "gates_relative_to must be initial or parent, not \(Escaped.value(reference))")
        }
        return GatesFile(gates: gates, budgets: file.budgets ?? file.recommended_budgets ?? [],
                         levels: file.cascade_levels ?? file.recommended_levels, relativeTo: file.gates_relative_to, note: file.note)
    }
}

extension GatesFile {
    /// The file without the `onDemand` levels (a real system) among its levels, and without the
    /// gate of the level that is then the top one, whose score is the candidate's: the cascade
    /// `evolve` runs by default, and `eval --models-only`. Unchanged when the file's levels
    /// name no on-demand level.
    public func droppingLevels(_ onDemand: [String]) -> GatesFile {
        guard let levels, levels.contains(where: onDemand.contains) else { return self }
        var file = self
        let kept = levels.filter { !onDemand.contains($0) }
        file.levels = kept.isEmpty ? nil : kept
        let top = kept.last ?? "fine"
        file.gates.removeAll { $0.level == top }
        return file
    }
}
