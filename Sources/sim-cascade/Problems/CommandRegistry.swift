import ArgumentParser
import Cascade

/// What the command line adds per problem beyond its `Problem` value: its `simulate`
/// subcommand (built-in policies take problem-specific options) and its `compare` subcommand if
/// it has one. Each lives in
/// `Problems/<Name>/`; a new problem adds one line here.
enum CommandRegistry {
    struct Entry {
        var problem: CandidateProblem
        var simulate: ParsableCommand.Type
        var compare: ParsableCommand.Type? = nil
    }

    static let entries: [Entry] = [
        Entry(problem: .spot, simulate: SimulateSpot.self, compare: CompareSpot.self),
        Entry(problem: .spotMulti, simulate: SimulateSpotMulti.self),
        Entry(problem: .eplb, simulate: SimulateEPLB.self),
        Entry(problem: .prefix, simulate: SimulatePrefix.self),
        Entry(problem: .txn, simulate: SimulateTxn.self),
    ]

    static var simulateCommands: [ParsableCommand.Type] { entries.map(\.simulate) }

    static var compareCommands: [ParsableCommand.Type] { entries.compactMap(\.compare) }
}
