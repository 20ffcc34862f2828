import ArgumentParser
import Foundation
import Cascade
import Sim
import SimCore

@main
struct SimCascade: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sim-cascade",
        abstract: "Fast, exact, tamper-proof evaluation of systems policies.",
        subcommands: [Eval.self, Init.self, EvolveCommand.self, RunsCommand.self, Calibrate.self, Simulate.self, Compare.self, Bench.self, Traces.self]
    )

    /// Parses and runs a command; every error is reported in one place (`ErrorReporter`).
    static func main() {
        // Before any work: OpenBLAS's idle worker threads spin on sched_yield, which steals a
        // core from the evaluations that run beside them.
        BLASThreads.ensureSingleThreaded()
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            Foundation.exit(ErrorReporter.report(error, command: SimCascade.self))
        }
    }
}
