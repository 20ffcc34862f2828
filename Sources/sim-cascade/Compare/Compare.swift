import ArgumentParser
import Foundation
import Cascade
import Sim
import SimCore

struct Compare: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compare built-in policies on one scenario set.",
        subcommands: CommandRegistry.compareCommands
    )
}
