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

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the runs under ROOT (default: runs/).")

        @Argument(help: "Folder holding run folders.")
        var root: String = "runs"

        @OptionGroup var output: OutputOptions

        func run() throws {
            let folder = InputCatalog.standard.userPath(root)
            let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
            let runs = names.sorted().map { folder.appendingPathComponent($0) }
                .filter { FileManager.default.fileExists(atPath: $0.appendingPathComponent("store.sqlite").path) }
            // A folder whose store cannot be read is reported, not fatal to the listing.
            var summaries: [RunSummary] = []
            for run in runs {
                do { summaries.append(try RunSummary(folder: run, note: Log.note)) } catch { Log.note("runs: \(run.path): \(error)") }
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
            let folder = InputCatalog.standard.userPath(self.folder)
            let summary = try RunSummary(folder: folder, note: Log.note)
            if output.json { return try JSONOutput.print(summary) }
            print(summary.text)
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
            let url = InputCatalog.standard.userPath(folder)
            for line in try RunFolder.openStore(url, note: Log.note).dump(run: ProgramStore.runID) { print(line) }
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

        func run() throws {
            let url = InputCatalog.standard.userPath(folder)
            let store = try RunFolder.openStore(url, verified: false, note: Log.note)
            let check = try StoreCheck(store: store)
            if output.json { try JSONOutput.print(check) } else { print(check.text) }
            if !check.sound {
                throw EvolveError.storeCorrupt(path: store.path, row: check.badRows.first ?? "the file's structure")
            }
        }
    }
}
