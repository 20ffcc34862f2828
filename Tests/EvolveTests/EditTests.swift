import Cascade
@testable import Evolve
import Testing

@Suite struct EditTests {
    let source = """
        struct Candidate {
            func helper() -> Int { 1 }

            mutating func decide() -> Int {
                // EVOLVE-BLOCK-START
                let a = 1
                if a > 0 {
                    return a
                }
                return 0
                // EVOLVE-BLOCK-END
            }
        }
        """

    private func edit(_ search: String, _ replace: String) -> String {
        "Here is my change:\n<<<<<<< SEARCH\n\(search)\n=======\n\(replace)\n>>>>>>> REPLACE\nDone."
    }

    @Test func aSearchMatchesWithTrailingSpaceAndIndentationNormalised() throws {
        // Written without the block's indentation and with trailing spaces.
        let response = edit("if a > 0 {   \n    return a\n}", "if a > 1 {\n    return a + 1\n}")
        let result = try EditApplier.apply(try EditParser.parse(response), to: source)
        #expect(result.contains("        if a > 1 {\n            return a + 1\n        }"))
        #expect(result.contains("func helper() -> Int { 1 }") && result.contains("// EVOLVE-BLOCK-END"))
        let block = try EvolveBlock(source: result), original = try EvolveBlock(source: source)
        #expect(block.head == original.head && block.tail == original.tail)
    }

    @Test func relativeIndentationMustAgree() throws {
        // `return a` one level deeper than `if` in the block; here at the same level: no match.
        let response = edit("if a > 0 {\nreturn a\n}", "x")
        #expect(throws: EvolveError.noMatch(search: "if a > 0 {\nreturn a\n}", outside: false)) {
            try EditApplier.apply(try EditParser.parse(response), to: source)
        }
    }

    @Test func editsOutsideTheBlockAreRefused() throws {
        let response = edit("func helper() -> Int { 1 }", "func helper() -> Int { 2 }")
        #expect(throws: EvolveError.noMatch(search: "func helper() -> Int { 1 }", outside: true)) {
            try EditApplier.apply(try EditParser.parse(response), to: source)
        }
        // Nor may an edit move the markers.
        #expect(throws: EvolveError.touchesMarkers) {
            try EditApplier.apply(try EditParser.parse(edit("return 0", "return 0\n// EVOLVE-BLOCK-END")), to: source)
        }
    }

    @Test func aSearchMatchingTwiceIsAnErrorNotAGuess() throws {
        let twice = source.replacingOccurrences(of: "return 0", with: "return a")
        #expect(throws: EvolveError.ambiguousMatch(search: "return a", count: 2)) {
            try EditApplier.apply(try EditParser.parse(edit("return a", "return 2")), to: twice)
        }
    }

    @Test func pairsApplyInOrderAndAllOrNothing() throws {
        let response = edit("let a = 1", "let a = 2") + "\n" + edit("let a = 2", "let a = 3")
        #expect(try EditApplier.apply(try EditParser.parse(response), to: source).contains("let a = 3"))
        // The second pair fails: the error names it, and no partial result comes back.
        #expect(throws: EvolveError.noMatch(search: "nothing", outside: false)) {
            try EditApplier.apply(try EditParser.parse(edit("let a = 1", "let a = 2") + "\n" + edit("nothing", "x")), to: source)
        }
    }

    @Test func aRewriteReplacesTheWholeBlockReindented() throws {
        let response = "<<<<<<< REWRITE\nreturn 42\n>>>>>>> REWRITE"
        let result = try EditApplier.apply(try EditParser.parse(response), to: source)
        #expect(try EvolveBlock(source: result).body == ["        return 42"])
    }

    @Test func responsesWithoutUsableEditsAreErrors() {
        #expect(throws: EvolveError.noEdit) { try EditParser.parse("I would change the threshold.") }
        #expect(throws: EvolveError.malformedEdit("a REPLACE block is not closed")) {
            try EditParser.parse("<<<<<<< SEARCH\na\n=======\nb\n")
        }
        #expect(throws: EvolveError.evolveBlock("expected one start and one end marker, found 0 and 0")) {
            try EditApplier.apply(.rewrite("x"), to: "struct Candidate {}")
        }
    }

    @Test func layoutOnlyChangesAreTheSameProgram() {
        let relaid = source.replacingOccurrences(of: "let a = 1", with: "let  a =\t1   ") + "\n\n"
        #expect(ProgramFingerprint.hash(relaid) == ProgramFingerprint.hash(source))
        #expect(ProgramFingerprint.hash(source.replacingOccurrences(of: "let a = 1", with: "let a = 2")) != ProgramFingerprint.hash(source))
    }

    @Test(arguments: CandidateProblem.allCases)
    func everyTemplateHasOneEvolveBlockThatSurvivesARoundTrip(problem: CandidateProblem) throws {
        let block = try EvolveBlock(source: problem.template)
        #expect(!block.body.isEmpty && block.source == problem.template)
    }
}
