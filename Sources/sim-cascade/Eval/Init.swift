import ArgumentParser
import Cascade

struct Init: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print a starting candidate for a problem, or the contract a model writes it by.",
        discussion: """
            Example: sim-cascade init spot > candidate.swift. With --prompt, prints the system \
            message evolve's OpenAI generator opens with (the problem, the candidate contract, \
            the EVOLVE-BLOCK rule and the candidate API), without evolve's edit format: the text \
            to give another framework's prompt (docs/integrations.md).
            """
    )

    @Argument(help: "The problem.")
    var problem: CandidateProblem

    @Flag(help: "Print the candidate contract as a system message instead of the template.")
    var prompt = false

    func run() throws {
        if prompt {
            print(CandidateContract(problem: problem, catalog: .standard).text())
        } else {
            print(problem.template, terminator: "")
        }
    }
}
