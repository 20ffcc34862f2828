import ArgumentParser
import Cascade
import Evolve
import Foundation
import Sim

struct EvolveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evolve",
        abstract: "Evolve a candidate: propose children, evaluate them through the cascade, keep the good ones.",
        discussion: """
            Starts from the problem's template (or --initial), proposes children with the seeded \
            offline generator, evaluates each through the cascade on the default search inputs, and \
            stores everything in DIR/store.sqlite (one transaction per iteration): --resume continues \
            a stopped run exactly. Only candidates that passed every stage become parents. Progress \
            goes to stderr; the best program is written to DIR/best.swift.
            """
    )

    @Option(help: "Problem: \(CandidateProblem.allCases.map(\.rawValue).joined(separator: ", ")) (default: spot, or the resumed run's).")
    var problem: String?

    @Option(help: "The starting candidate (default: the problem's template).")
    var initial: String?

    @Option(help: "Iterations to reach (a resumed run counts the ones it already has).")
    var iterations: Int = 100

    @Option(help: "Seed of the generator and the selection.")
    var seed: UInt64 = 0

    @Option(name: .customLong("run"), help: "Run folder (default: runs/PROBLEM-TIMESTAMP).")
    var runFolder: String?

    @Flag(help: "Continue the run in --run after its last committed iteration.")
    var resume = false

    @OptionGroup var shape: EPLBShapeOverride

    @Option(help: "Islands of the MAP-Elites population.")
    var islands: Int = 3

    @Flag(help: "Run without namespaces/chroot where they are unavailable (only for trusted code).")
    var unsafeNoSandbox = false

    @Flag(help: "Print the leaderboard as JSON.")
    var json = false

    func run() throws {
        guard iterations >= 0 else { throw CLIError.invalidValue("--iterations", "\(iterations)", "must not be negative") }
        guard islands >= 1 else { throw CLIError.invalidValue("--islands", "\(islands)", "must be at least 1") }
        if resume && runFolder == nil { throw CLIError.missingOption("--run", because: "with --resume") }
        let named = try problem.map { try CandidateProblem(named: $0) }
        let folder = URL(fileURLWithPath: runFolder ?? "runs/\((named ?? .spot).rawValue)-\(Self.timestamp())",
                         relativeTo: Locations.workingDirectory).standardizedFileURL
        let storePath = folder.appendingPathComponent("store.sqlite").path
        var stored: RunRecord?
        if resume {
            guard FileManager.default.fileExists(atPath: storePath) else {
                throw CLIError.invalidValue("--run", folder.path, "holds no store.sqlite to resume")
            }
            stored = try ProgramStore(path: storePath).run(id: Self.runID)
            guard let stored else { throw CLIError.invalidValue("--run", folder.path, "holds no run to resume") }
            if let named, named.rawValue != stored.problem {
                throw CLIError.invalidValue("--run", folder.path, "holds a run of another problem (\(stored.problem))")
            }
        } else if FileManager.default.fileExists(atPath: storePath) {
            throw CLIError.invalidValue("--run", folder.path, "already holds a run (pass --resume to continue it)")
        }
        let problem = try stored.map { try CandidateProblem(named: $0.problem) } ?? named ?? .spot
        let initialSource = try initial.map {
            try CandidateEvaluator.readSource(URL(fileURLWithPath: $0, relativeTo: Locations.workingDirectory).standardizedFileURL)
        } ?? problem.template
        _ = try EvolveBlock(source: initialSource)

        let evaluator = try CandidateEvaluator.standard(allowUnsafe: unsafeNoSandbox)
        let inputs = try ProblemInputs.load(problem, scenarios: nil, input: nil, window: nil, shape: shape)
        let gates = try Locations.gates(for: problem, file: nil)
        let options = CascadeOptions(gates: gates.gates, budgets: gates.budgets, levels: gates.levels)
        let adapter = EvaluationAdapter(problem: problem, evaluator: evaluator, inputs: inputs.candidateInputs, options: options)

        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let store = try ProgramStore(path: storePath)
        let runID = Self.runID
        let loop: EvolutionLoop
        if resume {
            loop = try EvolutionLoop.resume(store: store, runID: runID, evaluate: adapter.evaluate)
            Log.note("evolve: resuming \(folder.path) after iteration \(loop.completed)")
        } else {
            var settings = EvolutionSettings(problem: problem.rawValue, seed: seed)
            settings.selection.islands = islands
            do {
                loop = try EvolutionLoop.start(store: store, runID: runID, settings: settings, initial: initialSource,
                                               evaluate: adapter.evaluate)
            } catch {
                // No run was written: leave no store that would refuse the next start.
                for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: storePath + suffix) }
                throw error
            }
        }
        let started = Date()
        var done = 0
        try loop.run(until: iterations) { summary in
            done += 1
            let rate = Double(done) / max(Date().timeIntervalSince(started) / 60, 1e-9)
            let what = summary.program.map { p in
                p.valid ? "score \(p.score.map { String(format: "%.4f", $0) } ?? "-")" : "stopped at \(p.rejectedAt ?? "compile")"
            } ?? "no child (\(summary.error ?? ""))"
            Log.note("evolve: \(summary.iteration)/\(iterations) \(what); \(String(format: "%.1f", rate)) iterations/min")
        }
        try report(store: store, runID: runID, folder: folder, problem: problem)
    }

    /// The leaderboard, and the best program as DIR/best.swift.
    func report(store: ProgramStore, runID: String, folder: URL, problem: CandidateProblem) throws {
        let programs = try store.programs(run: runID)
        let lowerIsBetter = FitnessMetric.of(problem.rawValue).lowerIsBetter
        let ranked = programs.filter { $0.valid && $0.score != nil }
            .sorted { lowerIsBetter ? $0.score! < $1.score! : $0.score! > $1.score! }
        let stopped = Dictionary(grouping: programs.filter { !$0.valid }, by: { $0.rejectedAt ?? "compile" }).mapValues(\.count)
        if let best = ranked.first {
            try Data(best.source.utf8).write(to: folder.appendingPathComponent("best.swift"))
        }
        if json {
            struct Entry: Encodable { var iteration: Int; var score: Double; var generation: Int; var island: Int }
            struct Board: Encodable { var run: String; var programs: Int; var stopped: [String: Int]; var leaderboard: [Entry] }
            try JSONOutput.print(Board(run: folder.path, programs: programs.count, stopped: stopped,
                                       leaderboard: ranked.prefix(10).map {
                                           Entry(iteration: $0.iteration, score: $0.score!, generation: $0.generation, island: $0.island)
                                       }))
            return
        }
        var table = TextTable(headers: ["rank", "iteration", FitnessMetric.of(problem.rawValue).name, "generation", "island"])
        for (rank, p) in ranked.prefix(10).enumerated() {
            table.append(["\(rank + 1)", "\(p.iteration)", String(format: "%.4f", p.score!), "\(p.generation)", "\(p.island)"])
        }
        print("run: \(folder.path); \(programs.count) programs, stopped: "
            + (stopped.isEmpty ? "none" : stopped.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")))
        print(table.render())
        if !ranked.isEmpty { print("best program: \(folder.appendingPathComponent("best.swift").path)") }
    }

    /// A store holds one run.
    static let runID = "run"

    static func timestamp() -> String {
        let f = DateFormatter()
        f.dateFormat = "yyyyMMdd-HHmmss"
        f.timeZone = TimeZone(identifier: "UTC")
        return f.string(from: Date())
    }
}

/// Evaluates a child through the cascade and turns the outcome into what the loop stores.
struct EvaluationAdapter {
    var problem: CandidateProblem
    var evaluator: CandidateEvaluator
    var inputs: CandidateInputs
    var options: CascadeOptions

    func evaluate(_ source: String) throws -> EvaluatedChild {
        let outcome = try evaluator.evaluate(source: source, on: inputs, cascade: options)
        let metric = FitnessMetric.of(problem.rawValue)
        let fine = outcome.stages.last { $0.level == "fine" }
        let score = outcome.valid ? fine?.metrics[metric.name] : nil
        var records = outcome.stages.map { s in
            EvaluationRecord(stage: s.level, status: s.status.rawValue, metrics: Self.json(s.metrics), artifacts: Self.json(s.artifacts),
                             seconds: s.seconds, failureKind: s.failure?.kind.rawValue, failureMessage: s.failure?.message)
        }
        if outcome.stages.isEmpty, let failure = outcome.failure {
            records = [EvaluationRecord(stage: "compile", status: "failed", metrics: "{}", artifacts: "[]",
                                        seconds: outcome.compileSeconds, failureKind: failure.kind.rawValue, failureMessage: failure.message)]
        }
        return EvaluatedChild(valid: outcome.valid && score != nil, score: score,
                              fitness: score.map { metric.lowerIsBetter ? -$0 : $0 },
                              rejectedAt: outcome.valid ? nil : (outcome.rejectedAt ?? "compile"), evaluations: records)
    }

    static func json<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "null"
    }
}
