import ArgumentParser
import Cascade
import Evolve
import Foundation
import Sim
import SimCore

struct RunsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runs",
        abstract: "List, show, dump and verify evolution runs.",
        subcommands: [List.self, Show.self, Dump.self, Verify.self]
    )

    /// The store of run folder `folder`, opened read-only (a running `evolve` may hold the
    /// folder), with every row checked against its hash unless `verified` is false.
    /// - Throws: `CLIError` when the folder holds no store; `EvolveError` for a store that cannot
    ///   be read or has a bad row.
    static func openStore(_ folder: URL, verified: Bool = true) throws -> ProgramStore {
        let path = folder.appendingPathComponent("store.sqlite").path
        guard FileManager.default.fileExists(atPath: path) else { throw CLIError.invalidValue("run", folder.path, "holds no store.sqlite") }
        let store = try ProgramStore(path: path, readOnly: true)
        Log.upgrade(of: store)
        if verified { try store.verifyRows() }
        return store
    }

    /// One run folder's summary, read from its store.
    struct Summary: Encodable {
        var run: String
        var problem: String
        var seed: Int64
        var iterations: Int
        var programs: Int
        var valid: Int
        var stopped: [String: Int]
        var best_score: Double?
        var best_iteration: Int?

        init(folder: URL) throws {
            let store = try RunsCommand.openStore(folder)
            guard let record = try store.run(id: ProgramStore.runID) else {
                throw CLIError.invalidValue("run", folder.path, "holds no run")
            }
            let programs = try store.programs(run: ProgramStore.runID)
            let best = programs.ranked(by: try store.problem(named: record.problem).fitness).first
            run = folder.path
            problem = record.problem
            seed = record.seed
            iterations = record.iteration
            self.programs = programs.count
            valid = programs.filter(\.valid).count
            stopped = programs.stoppedByStage
            best_score = best?.score
            best_iteration = best?.iteration
        }

        var row: [String] {
            [run, problem, "\(iterations)", "\(programs)", "\(valid)", best_score.map { String(format: "%.4f", $0) } ?? "-",
             best_iteration.map(String.init) ?? "-"]
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the runs under ROOT (default: runs/).")

        @Argument(help: "Folder holding run folders.")
        var root: String = "runs"

        @OptionGroup var output: OutputOptions

        func run() throws {
            let folder = URL(fileURLWithPath: root, relativeTo: Locations.workingDirectory).standardizedFileURL
            let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
            let runs = names.sorted().map { folder.appendingPathComponent($0) }
                .filter { FileManager.default.fileExists(atPath: $0.appendingPathComponent("store.sqlite").path) }
            // A folder whose store cannot be read is reported, not fatal to the listing.
            var summaries: [Summary] = []
            for run in runs {
                do { summaries.append(try Summary(folder: run)) } catch { Log.note("runs: \(run.path): \(error)") }
            }
            if output.json { return try JSONOutput.print(summaries) }
            guard !summaries.isEmpty else { return print("no runs under \(folder.path)") }
            var table = TextTable(headers: ["run", "problem", "iterations", "programs", "valid", "best", "best at"])
            for s in summaries { table.append(s.row) }
            print(table.render())
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one run: its counts, stops and best program.")

        @Argument(help: "The run folder.")
        var folder: String

        @OptionGroup var output: OutputOptions

        func run() throws {
            let folder = URL(fileURLWithPath: self.folder, relativeTo: Locations.workingDirectory).standardizedFileURL
            let summary = try Summary(folder: folder)
            if output.json { return try JSONOutput.print(summary) }
            print("""
                run: \(summary.run)
                problem: \(summary.problem), seed \(summary.seed), \(summary.iterations) iterations
                programs: \(summary.programs) (\(summary.valid) valid); stopped: \
                \(summary.stopped.isEmpty ? "none" : summary.stopped.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
                best: \(summary.best_score.map { String(format: "%.4f", $0) } ?? "-") (iteration \(summary.best_iteration.map(String.init) ?? "-"))
                """)
        }
    }

    struct Dump: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print every row of a run's store, one line each, without timing columns.",
            discussion: "Two runs of the same seed and worker count print the same lines; diff them to compare runs."
        )

        @Argument(help: "The run folder.")
        var folder: String

        func run() throws {
            let url = URL(fileURLWithPath: folder, relativeTo: Locations.workingDirectory).standardizedFileURL
            for line in try RunsCommand.openStore(url).dump(run: ProgramStore.runID) { print(line) }
        }
    }

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a run's store: SQLite's integrity check and every row against its hash.",
            discussion: "Prints every bad row; exits 0 when the store is sound, 3 when it is not."
        )

        @Argument(help: "The run folder.")
        var folder: String

        @OptionGroup var output: OutputOptions

        struct Outcome: Encodable {
            var store: String
            var rows_checked: Int
            var bad_rows: [String]
            var integrity_problems: [String]
            var sound: Bool

            init(store: ProgramStore) throws {
                self.store = store.path
                rows_checked = try store.rowCount()
                bad_rows = try store.badRows()
                integrity_problems = try store.integrityProblems()
                sound = bad_rows.isEmpty && integrity_problems.isEmpty
            }
        }

        func run() throws {
            let url = URL(fileURLWithPath: folder, relativeTo: Locations.workingDirectory).standardizedFileURL
            let store = try RunsCommand.openStore(url, verified: false)
            let outcome = try Outcome(store: store)
            if output.json {
                try JSONOutput.print(outcome)
            } else {
                for row in outcome.bad_rows { print("bad row: \(row)") }
                for problem in outcome.integrity_problems { print("integrity: \(Escaped.line(problem))") }
                print("\(store.path): \(outcome.rows_checked) rows, \(outcome.bad_rows.count) bad"
                      + (outcome.integrity_problems.isEmpty ? "" : ", SQLite integrity check failed"))
            }
            if !outcome.sound {
                throw EvolveError.storeCorrupt(path: store.path, row: outcome.bad_rows.first ?? "the file's structure")
            }
        }
    }
}
