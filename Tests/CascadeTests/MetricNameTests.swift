@testable import Cascade
import Foundation
import Testing
import TestSupport

/// One meaning per metric name: every level's metrics are documented in docs/fields.md, the
/// fitness is a fine-level metric (the last level but the on-demand ones), and a name two model
/// levels share measures one quantity.
@Suite struct MetricNameTests {
    static func levels() throws -> [(problem: CandidateProblem, inputs: CandidateInputs, levels: [any FidelityLevel])] {
        try CandidateProblem.allCases.map { problem in
            let inputs = try problem.loadInputs(InputRequest(), catalog: .standard)
            return (problem, inputs, try problem.levels(inputs))
        }
    }

    @Test func everyLevelMetricIsDocumented() throws {
        let doc = try String(contentsOf: TestPaths.repositoryRoot.appendingPathComponent("docs/fields.md"), encoding: .utf8)
        for (problem, _, levels) in try Self.levels() {
            for level in levels {
                for metric in level.metrics {
                    #expect(doc.contains("`\(metric.name)`"), "\(problem.rawValue) \(level.name): \(metric.name) is not in docs/fields.md")
                }
            }
            let fine = levels.last { !$0.onDemand }
            #expect(fine?.name == "fine" && fine?.metrics.contains { $0.name == problem.fitness.name } == true, "\(problem.rawValue)'s fitness")
        }
    }

    /// A metric of a cheap level and one of the fine level share a name only if they measure the
    /// same thing: then the reference policy's values at the two levels are of one magnitude. The
    /// renamed ones (an estimate, an executed makespan) would differ by far more.
    @Test func aNameSharedByTwoLevelsMeasuresTheSameThing() throws {
        for (problem, _, levels) in try Self.levels() {
            // The models (an on-demand level's reference would start a real system).
            let models = levels.filter { !$0.onDemand }
            let fine = models.last!.referenceMetrics()
            for level in models.dropLast() {
                for (name, value) in level.referenceMetrics() {
                    guard let other = fine[name], value != 0, other != 0 else { continue }
                    let ratio = max(value / other, other / value)
                    #expect(ratio < 3, "\(problem.rawValue): \(name) is \(value) at \(level.name) and \(other) at fine")
                }
            }
        }
    }
}
