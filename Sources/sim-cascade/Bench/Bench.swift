import ArgumentParser
import Foundation
import Cascade
import Evolve
import Sim
import SimCore

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure the simulators and the candidate pipeline on fixed work.",
        discussion: """
            Simulator workloads run the simulation only, inputs already in memory: every run \
            creates fresh policy instances and result arrays, and nothing is cached between runs; \
            the figure is the median thread CPU time on one core. Candidate workloads (compiles \
            of the spot template not in the cache, by planned jobs and through the driver in \
            turn, a cache hit, the sandbox's start from spawn to the candidate's first answer \
            with the memory cgroup off and on, a full sandboxed evaluation excluding compile) \
            span several processes and report median wall time, and the compiles their \
            processes' CPU time.
            """
    )

    @Option(help: "Runs per workload (5…1000).")
    var runs: Int = 11

    @Flag(help: "Skip the candidate compile and sandbox workloads.")
    var skipCandidates = false

    @Flag(help: "Run candidate workloads without namespaces where they are unavailable.")
    var unsafeNoSandbox = false

    @OptionGroup var output: OutputOptions

    func validate() throws {
        guard (5...1000).contains(runs) else { throw CLIError.invalidValue("--runs", "\(runs)", "must be 5…1000") }
    }

    func run() throws {
        let catalog = InputCatalog.standard
        if (try? catalog.referenceData()) == nil { Log.note("reference data not found; benchmarking the embedded inputs only") }
        var rows = try CandidateProblem.allCases.flatMap { try $0.benchmarks(runs: runs, catalog: catalog) } + (try LoopBenchmark(runs: runs).rows())
        if !skipCandidates {
            let pipeline = try CandidatePipelineBench(runs: runs, allowUnsafe: unsafeNoSandbox, catalog: catalog).rows()
            if let skipped = pipeline.skipped { Log.note(skipped) }
            rows += pipeline.rows
        }
        if output.json { return try JSONOutput.print(["benchmarks": rows]) }
        var table = TextTable(headers: ["workload", "clock", "scenarios", "median ms", "min ms", "ns/tick", "per item µs",
                                         "mean cost $"])
        for r in rows {
            table.append([r.workload, r.clock, r.scenarios.map(String.init) ?? "", fixed(r.medianMs, 3),
                          fixed(r.minMs, 3), r.nsPerTick.map { fixed($0, 1) } ?? "",
                          r.perItemUs.map { fixed($0, 2) } ?? "", r.meanCost.map { fixed($0, 4) } ?? ""])
        }
        print("median of \(runs) fresh runs\n" + table.render())
    }
}
