import Cascade
@testable import Evolve
import Testing

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
        let sites = OfflineGenerator.sites(in: #"if x >= 12 && y < 0.5 { f("3 < 4") } // 7 > 2"#)
        #expect(sites.count == 4)
        #expect(OfflineGenerator.sites(in: "func f() -> Int { a << 2 }").count == 1)  // only the 2
        #expect(OfflineGenerator.sites(in: "let v: Array<Int> = []").isEmpty)
        #expect(OfflineGenerator.sites(in: "let h = 0x9E37, s = state1").isEmpty)
        #expect(OfflineGenerator.sites(in: "xs.sorted { $0 < $1 }.map { $0 + 1 }").count == 2)  // `<` and the 1
    }
}
