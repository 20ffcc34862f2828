import ArgumentParser
import Cascade

struct Init: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print a starting candidate for a problem.",
        discussion: "Example: sim-cascade init spot > candidate.swift"
    )

    @Argument(help: "The problem.")
    var problem: CandidateProblem

    func run() throws {
        print(problem.template, terminator: "")
    }
}
