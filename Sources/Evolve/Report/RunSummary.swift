import Cascade
import Foundation
import SimCore

/// A run folder's store, opened read-only (a running `evolve` may hold the folder).
public enum RunFolder {
    /// The store of `folder`, with every row checked against its hash unless `verified` is false;
    /// `note` hears of a store that got row hashes on this open.
    /// - Throws: `EvolveError.invalidOption` when the folder holds no store; `EvolveError` for a
    ///   store that cannot be read or has a bad row.
    public static func openStore(_ folder: URL, verified: Bool = true, note: (String) -> Void = { _ in }) throws -> ProgramStore {
        let path = folder.appendingPathComponent("store.sqlite").path
        guard FileManager.default.fileExists(atPath: path) else {
            throw EvolveError.invalidOption("run", value: folder.path, reason: "holds no store.sqlite")
        }
        let store = try ProgramStore(path: path, readOnly: true)
        if let notice = store.upgradeNotice { note(notice) }
        if verified { try store.verifyRows() }
        return store
    }
}

extension ProgramStore {
    /// The one-line notice of a store that got row hashes on this open.
    public var upgradeNotice: String? {
        upgradedRows > 0 ? "\(path): hashed \(upgradedRows) rows written before row hashes existed" : nil
    }
}

/// One run folder's summary, read from its store (`runs list`, `runs show`).
public struct RunSummary: Encodable, Sendable {
    public var run: String
    public var problem: String
    public var seed: Int64
    public var iterations: Int
    public var programs: Int
    public var valid: Int
    public var stopped: [String: Int]
    public var bestScore: Double?
    public var bestIteration: Int?

    enum CodingKeys: String, CodingKey {
        case run, problem, seed, iterations, programs, valid, stopped
        case bestScore = "best_score", bestIteration = "best_iteration"
    }

    public init(folder: URL, note: (String) -> Void = { _ in }) throws {
        let store = try RunFolder.openStore(folder, note: note)
        guard let record = try store.run(id: ProgramStore.runID) else {
            throw EvolveError.invalidOption("run", value: folder.path, reason: "holds no run")
        }
        let programs = try store.programs(run: ProgramStore.runID)
        let settings = try? JSONDecoder().decode(EvolutionSettings.self, from: Data(record.config.utf8))
        let definition = try store.problem(named: record.problem)
        let best = programs.ranked(by: settings?.fitness(of: definition) ?? definition.fitness).first
        run = folder.path
        problem = record.problem
        seed = record.seed
        iterations = record.iteration
        self.programs = programs.count
        valid = programs.filter(\.valid).count
        stopped = programs.stoppedByStage
        bestScore = best?.score
        bestIteration = best?.iteration
    }

    /// `runs list`'s row.
    public var row: [String] {
        [run, problem, "\(iterations)", "\(programs)", "\(valid)", bestScore.map { String(format: "%.4f", $0) } ?? "-",
         bestIteration.map(String.init) ?? "-"]
    }

    /// `runs show`'s text.
    public var text: String {
        """
        run: \(run)
        problem: \(problem), seed \(seed), \(iterations) iterations
        programs: \(programs) (\(valid) valid); stopped: \
        \(stopped.isEmpty ? "none" : stopped.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        best: \(bestScore.map { String(format: "%.4f", $0) } ?? "-") (iteration \(bestIteration.map(String.init) ?? "-"))
        """
    }
}

/// What `runs verify` found: every bad row and SQLite's integrity problems.
public struct StoreCheck: Encodable, Sendable {
    public var store: String
    public var rowsChecked: Int
    public var badRows: [String]
    public var integrityProblems: [String]
    public var sound: Bool

    enum CodingKeys: String, CodingKey {
        case store, sound, rowsChecked = "rows_checked", badRows = "bad_rows", integrityProblems = "integrity_problems"
    }

    public init(store: ProgramStore) throws {
        self.store = store.path
        rowsChecked = try store.rowCount()
        badRows = try store.badRows()
        integrityProblems = try store.integrityProblems()
        sound = badRows.isEmpty && integrityProblems.isEmpty
    }

    /// One line per bad row and integrity problem, then the total.
    public var text: String {
        (badRows.map { "bad row: \($0)" } + integrityProblems.map { "integrity: \(Escaped.line($0))" }
            + ["\(store): \(rowsChecked) rows, \(badRows.count) bad" + (integrityProblems.isEmpty ? "" : ", SQLite integrity check failed")])
            .joined(separator: "\n")
    }
}
