import Cascade
import Foundation
import SimCore

/// A child proposed for one iteration, before its evaluation.
struct Proposal {
    var iteration: Int
    var parent: ProgramRecord?
    var island: Int
    /// The generator call (nil for the initial program); its `error` says why there is no child.
    var call: GeneratorCallRecord?
    var child: String?
    /// Both random streams right after this proposal: what a resume after it continues from.
    var streams: (generator: SeededGenerator, selection: SeededGenerator)
}

extension EvolutionLoop {
    /// Proposes iteration `i` from what iterations ≤ i − workers left, or returns nil when the
    /// call could pass the run's budget. An edit that does not apply, a duplicate and a failed
    /// call make a proposal without a child (a recorded failed iteration).
    /// - Complexity: O(programs) for the population, plus the generator's call.
    func propose(_ i: Int, inFlight: [Proposal]) throws -> Proposal? {
        let base = max(0, i - max(1, settings.workers))
        guard let snapshot = states[base] else { preconditionFailure("no committed state for iteration \(base)") }
        let visible = programs.prefix { $0.iteration <= base }
        let population = Population(individuals: individualOf[..<visible.count].compactMap { $0 }, migrations: snapshot.migrants, ranges: snapshot.ranges,
                                    config: settings.selection)
        let island = (i - 1) % max(settings.selection.islands, 1)
        let parent = population.parent(island: island, rng: &selectionRNG).flatMap { p in visible.first { $0.id == p.id } }
            ?? programs[0]  // the initial program is valid (see `start`)
        let inspirations = population.inspirations(island: island, excluding: parent.id ?? -1)
            .compactMap { p in visible.first { $0.id == p.id }?.source }
        let request = GenerationRequest(problem: problem, parent: parent.source,
                                        parentReport: generator.usesParentReport ? try report(parent) : "", inspirations: inspirations,
                                        lastErrors: errors.reversed().lazy.filter { $0.iteration <= base }.prefix(3).reversed().map(\.text))
        if let budget = settings.budgetUSD {
            let committed = inFlight.reduce(spentUSD) { $0 + ($1.call?.costUSD ?? 0) }
            if committed + generator.worstCaseCostUSD(request) > budget { return nil }
        }
        var call = GeneratorCallRecord(runId: runID, iteration: i, model: settings.generator, prompt: generator.promptText(request),
                                       response: "")
        var child: String?
        do {
            let response = try generator.propose(request)
            (call.model, call.response) = (response.model, response.text)
            if !response.prompt.isEmpty { call.prompt = response.prompt }
            (call.promptTokens, call.completionTokens, call.costUSD) = (response.promptTokens, response.completionTokens, response.costUSD)
            let edited = try EditApplier.apply(try EditParser.parse(response.text), to: parent.source)
            let normalized = ProgramFingerprint.normalised(edited)
            if let twin = seen[normalized] ?? inFlight.first(where: { $0.child.map(ProgramFingerprint.normalised) == normalized })?.iteration {
                call.error = "duplicate of the program of iteration \(twin): not evaluated again"
            } else {
                child = edited
            }
        } catch let error as EvolveError {
            if case .generatorUnavailable = error { throw error }
            call.error = "\(error)"
        }
        return Proposal(iteration: i, parent: parent, island: island, call: call, child: child,
                        streams: (generator.rng, selectionRNG))
    }

    /// The parent's per-stage outcome, as a generator's prompt shows it.
    func report(_ parent: ProgramRecord) throws -> String {
        let metric = settings.fitness(of: problem)
        var lines = ["score: \(parent.score.map { "\($0)" } ?? "-") (\(metric.name), \(metric.lowerIsBetter ? "lower" : "higher") is better)"]
        // A compile that passed says nothing to the generator.
        let stages = try store.evaluations(program: parent.id ?? 0).filter { !($0.stage == "compile" && $0.status == "passed") }
        for stage in stages { lines.append("\(stage.stage): \(stage.status) \(stage.metrics)") }
        if let artifacts = stages.last?.artifacts, artifacts != "[]", artifacts != "null" {
            lines.append("artifacts of the last stage: \(artifacts.prefix(2000))")
        }
        return lines.joined(separator: "\n")
    }
}
