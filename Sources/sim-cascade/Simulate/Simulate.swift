import ArgumentParser

struct Simulate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a built-in policy through a trusted simulator.",
        subcommands: CommandRegistry.simulateCommands
    )
}
