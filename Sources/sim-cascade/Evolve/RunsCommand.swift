import ArgumentParser
import Evolve
import Foundation

struct RunsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runs",
        abstract: "List and show evolution runs.",
        subcommands: [List.self, Show.self, Dump.self]
    )

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
            let store = try ProgramStore(path: folder.appendingPathComponent("store.sqlite").path, readOnly: true)
            guard let record = try store.run(id: EvolveCommand.runID) else {
                throw CLIError.invalidValue("run", folder.path, "holds no run")
            }
            let programs = try store.programs(run: EvolveCommand.runID)
            let best = programs.ranked(problem: record.problem).first
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

        @Flag(help: "Print JSON.")
        var json = false

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
            if json { return try JSONOutput.print(summaries) }
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

        @Flag(help: "Print JSON.")
        var json = false

        func run() throws {
            let folder = URL(fileURLWithPath: self.folder, relativeTo: Locations.workingDirectory).standardizedFileURL
            guard FileManager.default.fileExists(atPath: folder.appendingPathComponent("store.sqlite").path) else {
                throw CLIError.invalidValue("run", folder.path, "holds no store.sqlite")
            }
            let summary = try Summary(folder: folder)
            if json { return try JSONOutput.print(summary) }
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
            let path = url.appendingPathComponent("store.sqlite").path
            guard FileManager.default.fileExists(atPath: path) else { throw CLIError.invalidValue("run", url.path, "holds no store.sqlite") }
            for line in try ProgramStore(path: path, readOnly: true).dump(run: EvolveCommand.runID) { print(line) }
        }
    }
}
