import CandidateAPI
import Foundation
import Sim
import TestSupport
import Testing
import SimCore

@Suite struct EPLBTests {
    struct Example: Decodable {
        struct Derived: Decodable {
            struct Layer: Decodable { var logcnt: [Int]; var gpu_load: [Double] }
            var per_layer: [Layer]
            var balancedness_gpu: Double
            var balancedness_expert: Double
        }
        var weight: [[Double]]
        var num_replicas: Int
        var num_groups: Int
        var num_nodes: Int
        var num_gpus: Int
        var expected_phy2log: [[Int]]
        var derived: Derived
    }

    private func example() throws -> Example {
        let url = try TestPaths.referenceData().appendingPathComponent("eplb/deepseek_readme_example.json")
        return try JSONDecoder().decode(Example.self, from: Data(contentsOf: url))
    }

    @Test(.needsReferenceData) func deepseekReproducesTheReadmeExample() throws {
        let e = try example()
        let input = EPLBInput(weights: e.weight, replicas: e.num_replicas, groups: e.num_groups, nodes: e.num_nodes,
                              gpus: e.num_gpus)
        try DeepSeekEPLB.validate(input)
        let phy2log = DeepSeekEPLB.place(input)
        #expect(phy2log == e.expected_phy2log)
        let placement = try EPLBPlacement(phy2log: phy2log, layers: 2, experts: 12, replicas: 16)
        #expect(placement.logcnt == e.derived.per_layer.map(\.logcnt))
        let balance = EPLBBalancedness(placement: placement, weights: e.weight, gpus: e.num_gpus)
        #expect(balance.gpu == e.derived.balancedness_gpu)
        #expect(balance.slot == e.derived.balancedness_expert)
    }

    @Test func log2phyListsSlotsInOrderPaddedWithMinusOne() throws {
        let placement = try EPLBPlacement(phy2log: [[1, 0, 1, 2, 1, 0]], layers: 1, experts: 3, replicas: 6)
        #expect(placement.logcnt == [[2, 3, 1]])
        #expect(placement.log2phy == [[[1, 5, -1], [0, 2, 4], [3, -1, -1]]])
    }

    @Test(arguments: [
        ([[0, 1, 2]], "expected 4"),          // wrong number of slots
        ([[0, 1, 2, 3]], "not in 0..<3"),     // expert out of range
        ([[0, 1, 1, 0]], "has no replica"),   // expert 2 missing
        ([[0, -1, 1, 2]], "not in 0..<3"),
    ])
    func invalidPlacementsAreRejected(phy2log: [[Int]], reason: String) {
        do {
            _ = try EPLBPlacement(phy2log: phy2log, layers: 1, experts: 3, replicas: 4)
            Issue.record("accepted \(phy2log)")
        } catch {
            #expect("\(error)".contains(reason), "\(error)")
        }
        #expect(throws: SimError.self) { _ = try EPLBPlacement(phy2log: [], layers: 1, experts: 3, replicas: 4) }
    }

    @Test func shapesAreValidated() throws {
        let w = [[Double]](repeating: [Double](repeating: 1, count: 16), count: 2)
        for (shape, mention) in [
            (EPLBShape(replicas: 20, groups: 4, nodes: 2, gpus: 3), "multiple of the 3 GPUs"),
            (EPLBShape(replicas: 12, groups: 4, nodes: 2, gpus: 4), "at least the 16 experts"),
            (EPLBShape(replicas: 20, groups: 3, nodes: 1, gpus: 4), "must divide the 16 experts"),
            (EPLBShape(replicas: 20, groups: 4, nodes: 2, gpus: 3), "multiple of the 3 GPUs"),
            (EPLBShape(replicas: 24, groups: 4, nodes: 4, gpus: 6), "must divide the 6 GPUs"),
        ] {
            #expect(throws: SimError.self) { try DeepSeekEPLB.validate(shape.input(w)) }
            do { try DeepSeekEPLB.validate(shape.input(w)) } catch { #expect("\(error)".contains(mention), "\(error)") }
        }
        // Non-hierarchical (groups % nodes != 0): groups and nodes are not used, so they need not
        // divide the experts or the GPUs.
        let seven = [[Double]](repeating: (1...7).map(Double.init), count: 1)
        try DeepSeekEPLB.validate(EPLBInput(weights: seven, replicas: 8, groups: 3, nodes: 2, gpus: 4))
        try DeepSeekEPLB.validate(EPLBShape(replicas: 20, groups: 4, nodes: 3, gpus: 4).input(w))
    }

    @Test func nonHierarchicalShapeFallsBackToOneGroupAndNode() throws {
        // groups % nodes != 0: same as groups = nodes = 1.
        var rng = SeededGenerator(seed: 3)
        let w = (0..<3).map { _ in (0..<12).map { _ in Double(rng.nextInt(below: 100)) } }
        let odd = DeepSeekEPLB.place(EPLBInput(weights: w, replicas: 16, groups: 3, nodes: 2, gpus: 4))
        let flat = DeepSeekEPLB.place(EPLBInput(weights: w, replicas: 16, groups: 1, nodes: 1, gpus: 4))
        #expect(odd == flat)
        for layer in odd { #expect(Set(layer) == Set(0..<12)) }
    }

    @Test func placementFromOneWindowIsScoredOnTheNext() throws {
        let w0 = [[10.0, 1, 1, 1]], w1 = [[1.0, 1, 1, 10]]
        let shape = EPLBShape(replicas: 4, groups: 1, nodes: 1, gpus: 2)
        let result = try EPLBEvaluation.run(windows: [w0, w1], shape: shape, policy: DeepSeekEPLB.place)
        #expect(result.scores.count == 1)
        let placement = try EPLBPlacement(phy2log: DeepSeekEPLB.place(shape.input(w0)), layers: 1, experts: 4, replicas: 4)
        #expect(result.scores[0].balancedness == EPLBBalancedness(placement: placement, weights: w1, gpus: 2))
        #expect(result.meanRuntime >= 0)
    }

    @Test(.needsReferenceData) func windowsSumConsecutiveRecordsThroughTheTensorLayer() throws {
        let url = try TestPaths.referenceData().appendingPathComponent("eplb/sample_load_history.json")
        guard case .history(let history) = try EPLBInputFile.load(from: url) else {
            Issue.record("not a history")
            return
        }
        #expect(history.records.count == 300 && history.layers == 4 && history.experts == 16)
        let windows = history.windows(size: 100)
        #expect(windows.count == 3)
        let raw = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        let records = (raw["load_history"] as! [[String: Any]]).map { $0["logical_expert_load"] as! [[Int]] }
        let expected = (0..<4).map { l in (0..<16).map { e in Double((100..<200).reduce(0) { $0 + records[$1][l][e] }) } }
        #expect(windows[1] == expected)
    }

    @Test func committedHistoriesRegenerateByteForByte() throws {
        let (differing, extra) = try CommittedInputs.mismatches(problem: "eplb") { EPLBHistoryGenerator(manifest: try EPLBHistoryManifest.load(from: $0)).files() }
        #expect(differing.isEmpty && extra.isEmpty, "differing \(differing), extra \(extra)")
        let folder = TestPaths.repositoryRoot.appendingPathComponent("traces/eplb")
        guard case .history(let v3) = try EPLBInputFile.load(from: folder.appendingPathComponent("v3-history.json")) else {
            Issue.record("not a history")
            return
        }
        #expect(v3.layers == 58 && v3.experts == 256 && v3.shape == .deepSeekV3 && v3.window == 1)
    }
}
