import Cascade
import Evolve
import Foundation
import Sim
import SimCore

/// The evolution loop's own cost — store, selection, generator, edit application,
/// de-duplication and the commit — with a stand-in evaluator, so no compile or sandbox counts.
struct EvolveBench {
    var runs: Int
    static let iterations = 100

    func rows() throws -> [Bench.Row] {
        // Stand-in score: the sum of the evolve block's integer literals (lower is better).
        let evaluate: @Sendable (String) throws -> EvaluatedChild = { source in
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
            let loop = try EvolutionLoop.start(store: store, runID: "bench", settings: EvolutionSettings(problem: "spot", seed: 1),
                                               initial: CandidateProblem.spot.template, evaluate: evaluate)
            try loop.run(until: Self.iterations)
            return loop.completed
        }
        return [Bench.Row("evolve loop overhead, \(Self.iterations) iterations (stand-in evaluator)", clock: "wall", samples,
                          items: Self.iterations)]
    }
}
