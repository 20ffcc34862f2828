import Cascade
import Foundation
import SimCore

/// The evolution loop's own cost — store, selection, generator, edit application,
/// de-duplication and the commit — with a stand-in evaluator, so no compile or sandbox counts.
public struct LoopBenchmark {
    public var runs: Int

    public init(runs: Int) { self.runs = runs }
    static let iterations = 100
    /// The loop's overhead does not depend on the problem: the default one's template, scored by a stub.
    static let problem = ProblemRegistry.defaultProblem

    public func rows() throws -> [BenchRow] {
        // Stand-in score: the sum of the evolve block's integer literals (lower is better).
        let evaluate: @Sendable (String, [String: Double]) throws -> EvaluatedChild = { source, _ in
            let body = (try EvolveBlock(source: source)).body.joined(separator: "\n")
            let score = Double(body.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }.reduce(0, +))
            return EvaluatedChild(valid: true, score: score, fitness: -score, rejectedAt: nil,
                                  evaluations: [EvaluationRecord(stage: "fine", status: "passed", metrics: "{}", artifacts: "[]", seconds: 0)])
        }
        let samples = try BenchSamples.wallTime(runs: runs) { () throws -> Int in
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sim-cascade-bench-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }
            let store = try ProgramStore(path: folder.appendingPathComponent("store.sqlite").path)
            let loop = try EvolutionLoop.start(store: store, runID: "bench", settings: EvolutionSettings(problem: Self.problem.rawValue, seed: 1),
                                               initial: Self.problem.template, evaluate: evaluate)
            try loop.run(until: Self.iterations)
            return loop.completed
        }
        return [BenchRow("evolve loop overhead, \(Self.iterations) iterations (stand-in evaluator)", clock: "wall", samples,
                          items: Self.iterations)]
    }
}
