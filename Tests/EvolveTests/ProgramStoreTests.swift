import Foundation
@testable import Evolve
import GRDB
import TestSupport
import Testing

@Suite struct ProgramStoreTests {
    private func freshStore() throws -> (ProgramStore, String) {
        let folder = TestPaths.sessionFolder.appendingPathComponent("sim-cascade-store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let path = folder.appendingPathComponent("store.sqlite").path
        let store = try ProgramStore(path: path)
        try store.createRun(RunRecord(id: "r", problem: "spot", seed: 1, config: "{}"))
        return (store, path)
    }

    private func child(_ source: String, iteration: Int) -> IterationCommit {
        IterationCommit(
            call: GeneratorCallRecord(runId: "r", iteration: iteration, model: "offline", prompt: "", response: "<edit>"),
            program: ProgramRecord(runId: "r", iteration: iteration, source: source, parentId: nil, island: 0, generation: 1,
                                   generator: "offline", edit: "<edit>", valid: true, score: 95.5, rejectedAt: nil),
            evaluations: [EvaluationRecord(stage: "coarse", status: "passed", metrics: #"{"mean_cost":95.5}"#, artifacts: "[]", seconds: 0.02),
                          EvaluationRecord(stage: "fine", status: "passed", metrics: #"{"mean_cost":95.5}"#, artifacts: "[]", seconds: 0.04)],
            rngState: "{\"generator\":\(iteration)}", featureRanges: "{}")
    }

    @Test func anIterationIsWrittenWholeAndSurvivesReopening() throws {
        let (store, path) = try freshStore()
        #expect(try store.journalMode() == "wal")
        let program = try #require(try store.commit(child("let a = 1", iteration: 1), run: "r", iteration: 1))
        #expect(program.id != nil)
        let reopened = try ProgramStore(path: path)
        #expect(try reopened.run(id: "r")?.iteration == 1 && reopened.run(id: "r")?.rngState == "{\"generator\":1}")
        #expect(try reopened.programs(run: "r").map(\.source) == ["let a = 1"])
        #expect(try reopened.evaluations(program: program.id!).map(\.stage) == ["coarse", "fine"])
        #expect(try reopened.calls(run: "r").count == 1)
    }

    @Test func aFailureInsideTheTransactionLeavesNothingBehind() throws {
        let (store, _) = try freshStore()
        try store.commit(child("let a = 1", iteration: 1), run: "r", iteration: 1)
        struct Crash: Error {}
        #expect(throws: Crash.self) {
            try store.commit(child("let a = 2", iteration: 2), run: "r", iteration: 2) { throw Crash() }
        }
        #expect(try store.run(id: "r")?.iteration == 1)
        #expect(try store.programs(run: "r").count == 1 && store.calls(run: "r").count == 1)
    }

    @Test func layoutOnlyDuplicatesAreFoundAndOthersAreNot() throws {
        let (store, _) = try freshStore()
        try store.commit(child("let a = 1\nreturn a", iteration: 1), run: "r", iteration: 1)
        #expect(try store.program(sameAs: "let  a = 1   \n\n  return a\n", run: "r") != nil)
        #expect(try store.program(sameAs: "let a = 2\nreturn a", run: "r") == nil)
    }
}

/// Row hashes, the upgrade of stores written before them, and errors that name the store.
@Suite struct StoreIntegrityTests {
    private func committedStore() throws -> (ProgramStore, String) {
        let folder = TestPaths.sessionFolder.appendingPathComponent("sim-cascade-store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let path = folder.appendingPathComponent("store.sqlite").path
        let store = try ProgramStore(path: path)
        let program = ProgramRecord(runId: "r", iteration: 0, source: "let a = 1", parentId: nil, island: 0, generation: 0,
                                    generator: "initial", edit: "", valid: true, score: 1, rejectedAt: nil)
        try store.commit(IterationCommit(call: nil, program: program,
                                         evaluations: [EvaluationRecord(stage: "fine", status: "passed", metrics: "{}", artifacts: "[]", seconds: 0.5)],
                                         rngState: "{}", featureRanges: "{}"),
                         run: "r", iteration: 0, creating: RunRecord(id: "r", problem: "spot", seed: 1, config: "{}"))
        return (store, path)
    }

    @Test func everyRowIsHashedAndAChangedColumnIsFound() throws {
        let (store, _) = try committedStore()
        #expect(try store.badRows() == [])
        #expect(try store.rowCount() == 4)  // run, program, evaluation, iteration state
        // A change made outside sim-cascade: the text of the program, then a timing column.
        try store.pool.write { db in try db.execute(sql: "UPDATE programs SET source = 'let a = 2'") }
        #expect(try store.badRows() == ["programs row 1"])
        #expect(throws: EvolveError.storeCorrupt(path: store.path, row: "programs row 1")) { try store.verifyRows() }
        try store.pool.write { db in try db.execute(sql: "UPDATE evaluations SET seconds = 0.25") }
        #expect(try store.badRows() == ["programs row 1", "evaluations row 1"])
    }

    @Test func aStoreWrittenBeforeRowHashesGetsThemOnItsFirstOpen() throws {
        let (store, path) = try committedStore()
        // Back to a store of the version before: no hash or count columns, no v4 migration.
        try store.pool.write { db in
            for table in ProgramStore.hashedTables { try db.execute(sql: "ALTER TABLE \(table) DROP COLUMN rowHash") }
            for (column, _) in ProgramStore.rowCounts { try db.execute(sql: "ALTER TABLE runs DROP COLUMN \(column)") }
            try db.execute(sql: "DELETE FROM grdb_migrations WHERE identifier = 'v4'")
        }
        let reopened = try ProgramStore(path: path, readOnly: true)
        #expect(reopened.upgradedRows == 4)
        #expect(try reopened.badRows() == [])
        #expect(try ProgramStore(path: path, readOnly: true).upgradedRows == 0)
    }

    /// A hash removed or replaced by something that is not text is a bad row, never a trap and
    /// never taken for a row of an older store.
    @Test func aMissingOrMistypedHashIsABadRow() throws {
        let (store, path) = try committedStore()
        try store.pool.write { db in
            try db.execute(sql: "UPDATE programs SET rowHash = NULL")
            try db.execute(sql: "UPDATE runs SET rowHash = X'FF'")
            try db.execute(sql: "UPDATE iteration_states SET rowHash = 7")
        }
        let reopened = try ProgramStore(path: path, readOnly: true)
        #expect(reopened.upgradedRows == 0)
        #expect(try reopened.badRows() == ["runs row 1", "programs row 1", "iteration_states row 1"])
    }

    /// Rows removed whole — which leaves every remaining hash intact — are found by the run's
    /// counts, and rows whose run is gone by their orphaned keys.
    @Test func removedRowsAreFound() throws {
        let (store, _) = try committedStore()
        try store.pool.write { db in try db.execute(sql: "DELETE FROM evaluations") }
        #expect(try store.badRows() == ["runs row 1 (evaluationCount 1, found 0)"])
        // As a hand edit with the sqlite3 shell would: foreign keys unchecked.
        try store.pool.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA foreign_keys = OFF")
            try db.execute(sql: "DELETE FROM runs")
            try db.execute(sql: "PRAGMA foreign_keys = ON")
        }
        #expect(try store.badRows() == ["programs row 1 (belongs to no run)", "iteration_states row 1 (belongs to no run)"])
    }

    /// A run row damaged while a run writes is refused at the next commit, not sealed again.
    @Test func aCommitRefusesToRewriteADamagedRunRow() throws {
        let (store, _) = try committedStore()
        try store.pool.write { db in try db.execute(sql: "UPDATE runs SET seed = 2") }
        let next = IterationCommit(call: nil, program: nil, evaluations: [], rngState: "{}", featureRanges: "{}")
        #expect(throws: EvolveError.storeCorrupt(path: store.path, row: "runs row 1")) { try store.commit(next, run: "r", iteration: 1) }
    }

    @Test func aRunOfAnUnknownProblemIsADamagedStore() throws {
        let (store, _) = try committedStore()
        #expect(try store.problem(named: "spot") == .spot)
        let error = try #require(throws: EvolveError.self) { try store.problem(named: "tsp") }
        #expect(error.isEnvironment && "\(error)".contains(store.path))
    }

    @Test func aTableWithoutItsHashColumnIsADamagedStore() throws {
        let (store, _) = try committedStore()
        try store.pool.write { db in try db.execute(sql: "ALTER TABLE evaluations DROP COLUMN rowHash") }
        #expect(throws: EvolveError.self) { try store.badRows() }
    }

    @Test func aSavedLoopStateOfTheWrongShapeDoesNotDecode() throws {
        let good = #"{"generator":[1,2,3,4],"migrants":[[5,1]],"selection":[1,2,3,4]}"#
        #expect(try LoopState.decoder.decode(LoopState.self, from: Data(good.utf8)).migrants == [[5, 1]])
        for bad in [#"{"generator":[1],"migrants":[],"selection":[1,2,3,4]}"#, #"{"generator":[1,2,3,4],"migrants":[[5]],"selection":[1,2,3,4]}"#,
                    #"{"generator":[1,2,3,4],"migrants":[],"selection":[1,2,3]}"#] {
            #expect(throws: DecodingError.self) { try LoopState.decoder.decode(LoopState.self, from: Data(bad.utf8)) }
        }
    }

    @Test func aFileThatIsNotAStoreIsAnErrorNamingIt() throws {
        let path = TestPaths.sessionFolder.appendingPathComponent("sim-cascade-store-\(UUID().uuidString).sqlite").path
        try Data(repeating: 0x41, count: 8192).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let error = try #require(throws: EvolveError.self) { try ProgramStore(path: path, readOnly: true) }
        #expect(error.isEnvironment)
        guard case .store(let named, let problem) = error else { Issue.record("\(error)"); return }
        #expect(named == path && problem.contains("not a store"))
    }

    @Test func sqliteErrorsSayWhatTheyMeanForAStore() {
        #expect(ProgramStore.describe(DatabaseError(resultCode: .SQLITE_FULL)).contains("disk is full"))
        #expect(ProgramStore.describe(DatabaseError(resultCode: .SQLITE_READONLY)).contains("read-only"))
    }

    @Test func aSecondHolderOfARunFolderIsRefusedWithTheFirstsPid() throws {
        let folder = TestPaths.sessionFolder.appendingPathComponent("sim-cascade-lock-\(UUID().uuidString)")
        let first = try RunFolderLock(folder: folder)
        #expect(first.createdFolder)
        // flock locks belong to the open file description: a second open in this process conflicts too.
        #expect(throws: EvolveError.runLocked(folder: folder.path, pid: getpid())) { try RunFolderLock(folder: folder) }
        first.removeFolderIfUnused()
        #expect(!FileManager.default.fileExists(atPath: folder.path))
    }
}
