import Cascade
@testable import Evolve
import Testing
import SimCore

@Suite struct OfflineGeneratorTests {
    @Test(arguments: CandidateProblem.allCases)
    func everyProposalAppliesToTheTemplateAndChangesOnlyTheBlock(problem: CandidateProblem) throws {
        var generator = OfflineGenerator(seed: 7)
        let parent = problem.template
        let original = try EvolveBlock(source: parent)
        var children = Set<String>()
        for _ in 0..<100 {
            let response = try generator.propose(GenerationRequest(problem: problem, parent: parent))
            let child = try EditApplier.apply(try EditParser.parse(response.text), to: parent)
            let block = try EvolveBlock(source: child)
            #expect(block.head == original.head && block.tail == original.tail && block.body != original.body)
            children.insert(ProgramFingerprint.hash(child))
        }
        #expect(children.count > 20, "mutations should differ (\(children.count) distinct)")
    }

    @Test func theSameSeedGivesTheSameChildren() throws {
        let request = GenerationRequest(problem: .spot, parent: CandidateProblem.spot.template)
        var a = OfflineGenerator(seed: 1), b = OfflineGenerator(seed: 1), c = OfflineGenerator(seed: 2)
        let first = try (0..<10).map { _ in try a.propose(request).text }
        #expect(first == (try (0..<10).map { _ in try b.propose(request).text }))
        #expect(first != (try (0..<10).map { _ in try c.propose(request).text }))
    }

    @Test func literalsAndComparisonsAreMutatedButNotCommentsStringsOrArrows() {
        let sites = MutationSite.sites(in: #"if x >= 12 && y < 0.5 { f("3 < 4") } // 7 > 2"#)
        #expect(sites.count == 4)
        #expect(MutationSite.sites(in: "func f() -> Int { a << 2 }").count == 1)  // only the 2
        #expect(MutationSite.sites(in: "let v: Array<Int> = []").isEmpty)
        #expect(MutationSite.sites(in: "let h = 0x9E37, s = state1").isEmpty)
        #expect(MutationSite.sites(in: "xs.sorted { $0 < $1 }.map { $0 + 1 }").count == 3)  // `<`, `$1` and the 1
    }

    @Test func thresholdsTernariesAndReturnedMembersAreMutated() {
        var rng = SeededGenerator(seed: 3)
        let line = "if need2 >= left { return v.hasSpot ? .spot : .none }"
        let members: Set = [".spot", ".none", ".onDemand"]
        let sites = MutationSite.sites(in: line, members: members)
        let threshold = sites.first { if case .threshold = $0 { true } else { false } }!
        #expect(threshold.apply(to: line, members: members, rng: &rng).hasPrefix("if need2 >= left * "))
        let ternary = sites.first { if case .ternary = $0 { true } else { false } }!
        #expect(ternary.apply(to: line, members: members, rng: &rng) == "if need2 >= left { return v.hasSpot ? .none : .spot }")
        let member = sites.first { if case .member = $0 { true } else { false } }!
        #expect([".onDemand", ".none"].map { line.replacingOccurrences(of: ".spot :", with: "\($0) :") }
            .contains(member.apply(to: line, members: members, rng: &rng)))
        // A compound operand is scaled as a whole; a literal or an already scaled one is left to the number site.
        let compound = MutationSite.sites(in: "if a < (b + c) * d && e > f {").compactMap { s -> String? in
            if case .threshold(let r) = s { return String("if a < (b + c) * d && e > f {"[r]) } else { return nil }
        }
        #expect(compound == ["(b + c) * d", "f"])
        #expect(!MutationSite.sites(in: "if a < b * 0.9 {").contains { if case .threshold = $0 { true } else { false } })
        #expect(MutationSite.returnedMembers(in: ["let x = y.rounded(.down)", "return c ? .spot : .none"]) == [".spot", ".none"])
        #expect(MutationSite.decimal(0.95 * 0.95) == "0.9025" && MutationSite.decimal(2) == "2.0")
    }

    @Test func crossoverTakesLinesFromAnInspiration() throws {
        let parent = CandidateProblem.spot.template
        let donor = parent.replacingOccurrences(of: "if need2 >= left {", with: "if need2 >= left * 0.95 {")
        var generator = OfflineGenerator(seed: 11)
        var crossed = false
        for _ in 0..<60 {
            let response = try generator.propose(GenerationRequest(problem: .spot, parent: parent, inspirations: [donor]))
            let child = try EditApplier.apply(try EditParser.parse(response.text), to: parent)
            crossed = crossed || child.contains("if need2 >= left * 0.95 {")
        }
        #expect(crossed)
    }
}
