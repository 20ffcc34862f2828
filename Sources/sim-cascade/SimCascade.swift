import ArgumentParser
import Foundation

@main
struct SimCascade: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sim-cascade",
        abstract: "Fast, exact, tamper-proof evaluation of systems policies.",
        subcommands: [Simulate.self, Compare.self, Bench.self, Traces.self]
    )

    /// Parses and runs a command; every error is reported in one place (`ErrorReporter`).
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            Foundation.exit(ErrorReporter.report(error, command: SimCascade.self))
        }
    }
}
