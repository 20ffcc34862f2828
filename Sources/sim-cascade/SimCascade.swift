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
        subcommands: [Eval.self, EvalServer.self, Init.self, EvolveCommand.self, RunsCommand.self, Calibrate.self, Simulate.self, Compare.self, Bench.self, Traces.self]
    )

    /// Parses and runs a command; every error is reported in one place (`ErrorReporter`).
    static func main() {
        // Before any work: OpenBLAS's idle worker threads spin on sched_yield, which steals a
        // core from the evaluations that run beside them.
        BLASThreads.ensureSingleThreaded()
        // A parent may leave SIGINT, SIGTERM or SIGHUP blocked (Foundation's `Process` passes on
        // its thread's mask): unblocked before any thread starts, so every thread inherits it and
        // an interrupt or terminate ends the run (stopping its PostgreSQL server) as it should.
        var stopSignals = sigset_t()
        sigemptyset(&stopSignals)
        for signal in [SIGINT, SIGTERM, SIGHUP] { sigaddset(&stopSignals, signal) }
        pthread_sigmask(SIG_UNBLOCK, &stopSignals, nil)
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            Foundation.exit(ErrorReporter.report(error, command: SimCascade.self))
        }
    }
}
