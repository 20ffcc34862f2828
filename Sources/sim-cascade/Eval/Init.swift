import ArgumentParser
import Cascade

struct Init: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print a starting candidate for a problem.",
        discussion: "Example: sim-cascade init spot > candidate.swift"
    )

    @Argument(help: "Problem: \(CandidateProblem.allCases.map(\.rawValue).joined(separator: ", ")).")
    var problem: String

    func run() throws {
        print(try CandidateProblem(named: problem).template, terminator: "")
    }
}
