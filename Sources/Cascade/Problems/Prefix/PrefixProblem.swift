import CandidateAPI
import Foundation
import Sim
import SimCore

/// Prefix caching for LLM queries over tables (LLM-SQL): a reorderer orders each row's fields
/// (and the rows) so that consecutive prompts share long prefixes.
public struct PrefixProblem: Problem {
    public typealias Inputs = [(name: String, table: PrefixTable)]
    public typealias Score = [PrefixTableScore]

    public init() {}

    public var name: String { "prefix" }
    public var protocolName: String { "FieldReorderer" }
    public var driverType: String { "FieldReordererDriver" }
    public var apiSourceFiles: [String] { ["Sources/CandidateAPI/Prefix.swift"] }
    public var template: String { CandidateTemplates.prefix }
    public var fitness: LevelMetric { LevelMetric(name: "block_hit_rate", lowerIsBetter: false) }
    /// Higher is better here: reject below the factor × the ggr template's hit rate.
    public var defaultGates: [LevelGate] {
        [LevelGate(level: "cost_model", metric: "estimated_phr", factor: 0.8),
         LevelGate(level: "coarse", metric: "phr", factor: 0.9)]
    }
    public var itemNoun: String { "tables" }
    public var notesKey: String { "table_notes" }
    public var inputFiles: ProblemInputFiles {
        ProblemInputFiles(fileOption: "input", hasHeldOutSet: true, tracesFolder: Self.traces,
                          generatedAtFirstUse: [Self.researchManifest])
    }
    public var coarseRankingCaveat: String {
        "The coarse level measures the public PHR, which does not depend on the row order, while the fine "
            + "level's finite KV cache rewards sending rows with shared prefixes together; half the pool sorts its "
            + "rows, which only the fine level sees."
    }

    static let traces = "traces/prefix"
    /// Five tables shaped like the LLM-SQL benchmark's (movies, beer, BIRD, PDMX, products;
    /// 100,979 rows), generated at first use (`GeneratedInputCache`).
    static let researchManifest = "traces/prefix/research/manifest.json"

    /// One table as given (or in the reference data, also under `prefix/`); without one, the
    /// embedded tables in name order — the research-scale ones (generated at first use) or the
    /// small committed `traces/prefix/*.csv` — or with `heldOut` their `*-heldout.csv` twins.
    public static func tableFiles(_ path: String?, heldOut: Bool = false, scale: InputScale = .research,
                                  catalog: InputCatalog) throws -> [URL] {
        if let path { return [try catalog.dataFile(path, under: ["prefix"])] }
        switch scale {
        case .small: return try catalog.packageFiles(in: traces, suffix: ".csv", heldOut: heldOut)
        case .research:
            return try catalog.files(in: try PrefixProblem().researchFolder(researchManifest, catalog: catalog), suffix: ".csv",
                                     heldOut: heldOut)
        }
    }

    /// The merge groups of `tableFiles(file, scale:)`: the research tables carry theirs in their
    /// manifest (so that they score alike with or without the reference data); any other table
    /// takes the reference data's.
    public static func mergeCatalog(file: String?, scale: InputScale, _ catalog: InputCatalog) throws -> PrefixColumnMergeCatalog? {
        guard file == nil && scale == .research else { return try mergeCatalog(catalog) }
        return try PrefixTableManifest.load(from: try catalog.packageFile(researchManifest)).mergeCatalog
    }

    /// The public evaluator's merge lists and reorder arguments (`prefix/col-merge.json` of the
    /// reference data), or `nil` without the reference data: tables then carry no merge groups.
    /// - Throws: `SimError` for a col-merge file that does not read.
    public static func mergeCatalog(_ catalog: InputCatalog) throws -> PrefixColumnMergeCatalog? {
        guard let data = try? catalog.referenceData() else { return nil }
        let url = data.appendingPathComponent("prefix/col-merge.json")
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        return try PrefixColumnMergeCatalog.load(from: catalog.noted(url))
    }

    public func loadInputs(_ request: InputRequest, catalog: InputCatalog) throws -> LoadedInputs<Inputs> {
        let urls = try Self.tableFiles(request.file, heldOut: request.heldOut, scale: request.scale, catalog: catalog)
        let merges = try Self.mergeCatalog(file: request.file, scale: request.scale, catalog)
        let tables = try urls.map { (name: $0.lastPathComponent, table: try PrefixTableFile.load(from: $0, merges: merges)) }
        return LoadedInputs(tables, label: urls.map(\.lastPathComponent).joined(separator: ", "))
    }

    public func levels(for inputs: Inputs) throws -> [any FidelityLevel] { PrefixLevels.make(tables: inputs) }

    public func referencePolicy(for inputs: Inputs) -> String { "ggr (the template)" }

    public func calibrationPool(size: Int) -> [PoolCandidate] { PrefixCandidatePool.make(size: size) }

    public func encode(_ scores: [PrefixTableScore], of inputs: LoadedInputs<Inputs>, to encoder: Encoder) throws {
        struct Entry: Encodable {
            var table: String
            var rows: Int
            var hit_chars: Int
            var total_chars: Int
            var phr: Double
            var runtime_seconds: Double
            /// The fine level's KV-cache simulation.
            var block_hit_rate: Double?
            var blocks: Int?
            var saved_tokens: Int?
            var tokens: Int?
            var evictions: Int?
        }
        let entries = scores.map {
            Entry(table: $0.name, rows: $0.rows, hit_chars: $0.rate.hitChars, total_chars: $0.rate.totalChars,
                  phr: $0.rate.phr, runtime_seconds: $0.runtimeSeconds, block_hit_rate: $0.cache?.blockHitRate,
                  blocks: $0.cache?.blocks, saved_tokens: $0.cache?.savedTokens, tokens: $0.cache?.tokens,
                  evictions: $0.cache?.evictions)
        }
        var c = encoder.container(keyedBy: ReportKey.self)
        guard entries.count == 1 else { return try c.encode(entries, forKey: "tables") }
        // One table: its fields at the top, as `simulate prefix` prints them.
        try c.encode(entries[0].hit_chars, forKey: "hit_chars")
        try c.encode(entries[0].total_chars, forKey: "total_chars")
        try c.encode(entries[0].phr, forKey: "phr")
        try c.encode(entries[0].runtime_seconds, forKey: "runtime_seconds")
        try c.encodeIfPresent(entries[0].block_hit_rate, forKey: "block_hit_rate")
        try c.encodeIfPresent(entries[0].saved_tokens, forKey: "saved_tokens")
        try c.encodeIfPresent(entries[0].tokens, forKey: "tokens")
        try c.encodeIfPresent(entries[0].evictions, forKey: "evictions")
    }

    public func summary(_ scores: [PrefixTableScore], of inputs: LoadedInputs<Inputs>) -> [String] {
        scores.map { s in
            "\(s.name): PHR \(fixed(s.rate.phr * 100, 2)) % (\(s.rate.hitChars) of \(s.rate.totalChars) chars), "
                + "runtime \(fixed(s.runtimeSeconds * 1e3, 2)) ms"
                + (s.cache.map { "; KV cache (\(KVCacheModel().capacityBlocks) blocks of \(KVCacheModel().blockTokens) tokens): "
                    + "\(fixed($0.blockHitRate * 100, 2)) % of \($0.blocks) blocks hit, \($0.evictions) evictions" } ?? "")
        }
    }

    public func generatedFiles(manifest: URL) throws -> [GeneratedFile] {
        PrefixTableGenerator(manifest: try PrefixTableManifest.load(from: manifest)).files()
    }
}

extension CandidateProblem {
    public static let prefix = CandidateProblem(PrefixProblem())
}
