import Foundation
import SimCore

/// Generates CSV tables with controlled column cardinalities, deterministically from a manifest:
/// each column draws its values from `distinct` random words-of-syllables strings of length
/// `minLength…maxLength`, by Zipf rank (exponent `skew`), or — with `follows` — is a function of
/// another column's value (a one-to-one or many-to-one dependency, as between an id and a name).
public struct PrefixTableManifest: Codable, Sendable, Equatable {
    public var generator: String
    public var seed: UInt64
    public var tables: [Table]
    /// Seed of held-out tables (the same specs, written as `NAME-heldout.csv`): inputs never
    /// seen during search.
    public var heldOutSeed: UInt64?
    /// Where the shapes come from, and which choices are the manifest's own (not generated from).
    public var note: String?

    enum CodingKeys: String, CodingKey {
        case generator, seed, tables
        case heldOutSeed = "held_out_seed", note
    }

    /// The merge groups its tables name (a held-out table takes its search twin's), with the
    /// public evaluator's reorder arguments; `nil` when no table names one.
    public var mergeCatalog: PrefixColumnMergeCatalog? {
        let named = tables.filter { !($0.merges ?? []).isEmpty }
        guard !named.isEmpty else { return nil }
        var datasets: [String: [[String]]] = [:]
        for table in named {
            datasets[table.file] = table.merges
            datasets[Self.heldOutName(table.file)] = table.merges
        }
        return PrefixColumnMergeCatalog(datasets: datasets)
    }

    /// `products.csv` → `products-heldout.csv`.
    public static func heldOutName(_ file: String) -> String { String(file.dropLast(4)) + "-heldout.csv" }

    public struct Table: Codable, Sendable, Equatable {
        public var file: String
        public var rows: Int
        public var columns: [Column]
        /// Groups of column names a solution may merge into one field, as the public evaluator
        /// passes them for the dataset this table imitates (its `col-merge.json`).
        public var merges: [[String]]?
    }

    public struct Column: Codable, Sendable, Equatable {
        public var name: String
        public var distinct: Int
        public var minLength: Int
        public var maxLength: Int
        public var skew: Double
        /// Index of an earlier column this one is a function of (value k ↦ k mod distinct).
        public var follows: Int?

        enum CodingKeys: String, CodingKey {
            case name, distinct, minLength = "min_length", maxLength = "max_length", skew, follows
        }
    }

    public static let currentGenerator = "prefix-table-zipf/1"

    /// - Throws: `SimError.malformedFile` for an unknown generator or out-of-range values.
    public static func load(from url: URL) throws -> PrefixTableManifest {
        let manifest = try JSONFile.decode(PrefixTableManifest.self, from: url)
        func fail(_ reason: String) -> SimError { .malformedFile(url.path, reason: reason) }
        guard manifest.generator == currentGenerator else {
            throw fail("generator '\(manifest.generator)' is not '\(currentGenerator)'")
        }
        for table in manifest.tables {
            guard SpotTraceManifest.isPlainFileName(table.file), table.file.hasSuffix(".csv"), (1...1_000_000).contains(table.rows),
                  (1...100).contains(table.columns.count) else {
                throw fail("\(table.file): needs a plain .csv name, 1…1,000,000 rows and 1…100 columns")
            }
            let names = Set(table.columns.map(\.name))
            for group in table.merges ?? [] where group.isEmpty || !group.allSatisfy(names.contains) {
                throw fail("\(table.file): merge group \(group) names a column the table lacks")
            }
            for (i, c) in table.columns.enumerated() {
                guard (1...1_000_000).contains(c.distinct), c.minLength >= 1, c.maxLength >= c.minLength, c.maxLength <= 1000,
                      c.skew.isFinite, c.skew >= 0, (c.follows.map { $0 >= 0 && $0 < i } ?? true) else {
                    throw fail("\(table.file): column \(c.name) is out of range")
                }
            }
        }
        guard manifest.heldOutSeed != manifest.seed else { throw fail("held_out_seed must differ from seed") }
        return manifest
    }
}

public struct PrefixTableGenerator: Sendable {
    public var manifest: PrefixTableManifest

    public init(manifest: PrefixTableManifest) { self.manifest = manifest }

    /// The tables, then the held-out ones when the manifest plans them.
    public func files() -> [GeneratedFile] {
        files(seed: manifest.seed, name: { $0 })
            + (manifest.heldOutSeed.map { files(seed: $0, name: PrefixTableManifest.heldOutName) } ?? [])
    }

    func files(seed: UInt64, name: (String) -> String) -> [GeneratedFile] {
        manifest.tables.enumerated().map { t, table in
            var rng = SeededGenerator(seed: seed &+ UInt64(t) &* 0x9E37_79B9_7F4A_7C15)
            let vocabularies = table.columns.map { column in
                (0..<column.distinct).map { _ in word(length: column.minLength + rng.nextInt(below: column.maxLength - column.minLength + 1), &rng) }
            }
            let samplers = table.columns.map { ZipfSampler(count: $0.distinct, exponent: $0.skew) }
            var lines = [table.columns.map { csvField($0.name) }.joined(separator: ",")]
            for _ in 0..<table.rows {
                var picks = [Int](repeating: 0, count: table.columns.count)
                for (c, column) in table.columns.enumerated() {
                    picks[c] = column.follows.map { picks[$0] % column.distinct } ?? samplers[c].sample(&rng)
                }
                lines.append(picks.enumerated().map { csvField(vocabularies[$0.offset][$0.element]) }.joined(separator: ","))
            }
            return GeneratedFile(name: name(table.file), contents: lines.joined(separator: "\n") + "\n")
        }
    }

    /// Pronounceable text of `length` scalars: syllables and spaces.
    /// - Complexity: O(length) (ASCII bytes, counted as they are appended).
    func word(length: Int, _ rng: inout SeededGenerator) -> String {
        var text: [UInt8] = []
        text.reserveCapacity(length)
        while text.count < length {
            if !text.isEmpty && text.count < length - 1 && rng.nextInt(below: 5) == 0 && text.last != Self.space {
                text.append(Self.space)
                continue
            }
            text.append(text.count % 2 == 0 ? Self.consonants[rng.nextInt(below: Self.consonants.count)]
                                            : Self.vowels[rng.nextInt(below: Self.vowels.count)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    private static let consonants = Array("bcdfghklmnprstvz".utf8), vowels = Array("aeiou".utf8), space = UInt8(ascii: " ")

    /// RFC 4180: quoted when it holds a comma, a quote or a line break, quotes doubled.
    func csvField(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
