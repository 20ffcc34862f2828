import CandidateAPI
import CandidateWire
import Cascade
import Foundation
import Sim
import Testing
import TestSupport

/// An in-memory child: answers each request with `respond` (nil: the child "died"), records
/// how the runner ended the protocol. No compile, no sandbox, no process.
final class InMemoryChannel: QueryChannel {
    let respond: ([UInt8]) -> [UInt8]?
    private(set) var requests = 0
    private(set) var finished = false
    private(set) var killed = false

    init(respond: @escaping ([UInt8]) -> [UInt8]?) { self.respond = respond }

    func exchange(_ request: [UInt8], answerCount: Int) -> Result<[UInt8], CandidateFailure> {
        exchange(request, maxAnswerBytes: answerCount).flatMap { answer in
            answer.count == answerCount ? .success(answer)
                : .failure(CandidateFailure(.invalidAnswer, "answered \(answer.count) decisions to \(answerCount) queries"))
        }
    }

    func exchange(_ request: [UInt8], maxAnswerBytes: Int) -> Result<[UInt8], CandidateFailure> {
        requests += 1
        // The frame's length prefix must match what follows it.
        let length = request.prefix(4).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        guard length == request.count - 4, let answer = respond(Array(request.dropFirst(4))) else {
            return .failure(CandidateFailure(.crash, "the in-memory child died"))
        }
        return answer.count <= maxAnswerBytes ? .success(answer)
            : .failure(CandidateFailure(.invalidAnswer, "announced a \(answer.count)-byte answer (limit \(maxAnswerBytes))"))
    }

    func finish(endFrame: [UInt8]) { finished = true }
    func killAndReap() { killed = true }
}

/// `body` read by `parse` (the reader lives only as long as the bytes' buffer).
func read<R>(_ body: [UInt8], _ parse: (inout WireReader) -> R) -> R {
    body.withUnsafeBytes { raw in
        var reader = WireReader(raw)
        return parse(&reader)
    }
}

/// Each problem's runner driven through `QueryChannel` alone: the parent's validation and
/// scoring, tested without spawning.
@Suite struct RunnerChannelTests {
    static let workload = NamedTxnWorkload(
        name: "W", workload: TxnWorkload(transactions: [[TxnOp(kind: .write, key: 0)], [TxnOp(kind: .read, key: 0)],
                                                        [TxnOp(kind: .write, key: 1)]], keyCount: 2),
        keyNames: ["a", "b"])

    /// A txn child answering every workload with `order`.
    static func txnChild(_ order: [Int]) -> InMemoryChannel {
        InMemoryChannel { body in
            guard read(body, { $0.u8() == 1 && OneShotWire.decodeTxn(&$0) != nil }) else { return nil }
            var writer = WireWriter()
            OneShotWire.writeRows([order], into: &writer)
            return writer.bytes
        }
    }

    @Test func aValidTxnOrderIsScoredByTheParent() throws {
        let channel = Self.txnChild([2, 0, 1])
        let scores = try TxnCandidateRunner(workloads: [Self.workload]).run(channel).get()
        var exact = TxnSchedule(Self.workload.workload)
        #expect(scores.map(\.makespan) == [exact.evaluate([2, 0, 1])])
        #expect(channel.requests == 1 && channel.finished && !channel.killed)
    }

    /// Each workload reaches the child with the host's seed for its position, the same on every
    /// run: a randomized scheduler is reproducible.
    @Test func eachTxnWorkloadCarriesTheSeedOfItsPosition() throws {
        final class Seen: @unchecked Sendable { var seeds: [UInt64] = [] }
        let seen = Seen()
        let channel = InMemoryChannel { body in
            guard let workload = read(body, { $0.u8() == 1 ? OneShotWire.decodeTxn(&$0) : nil }) else { return nil }
            seen.seeds.append(workload.seed)
            var writer = WireWriter()
            OneShotWire.writeRows([Array(workload.transactions.indices)], into: &writer)
            return writer.bytes
        }
        _ = try TxnCandidateRunner(workloads: [Self.workload, Self.workload, Self.workload]).run(channel).get()
        #expect(seen.seeds == (0..<3).map { TxnWorkload.seed(index: $0) })
        #expect(Set(seen.seeds).count == 3 && TxnWorkload.seed(index: 0) == TxnWorkload.seed(index: 0))
    }

    @Test(arguments: [[0, 0, 1], [0, 1], [0, 1, 7]])
    func aTxnOrderThatIsNotAPermutationIsInvalidAndStopsTheChild(_ order: [Int]) throws {
        let channel = Self.txnChild(order)
        guard case .failure(let failure) = TxnCandidateRunner(workloads: [Self.workload]).run(channel) else {
            Issue.record("\(order) was accepted")
            return
        }
        #expect(failure.kind == .invalidAnswer)
        #expect(channel.killed && !channel.finished)
    }

    @Test func aDeadChildIsTheCandidatesFailure() {
        let channel = InMemoryChannel { _ in nil }
        guard case .failure(let failure) = TxnCandidateRunner(workloads: [Self.workload]).run(channel) else {
            Issue.record("a dead child was scored")
            return
        }
        #expect(failure.kind == .crash)
    }

    @Test func aSpotChildAlwaysOnDemandCostsWhatTheBuiltInOnDemandPolicyCosts() throws {
        let set = try SpotScenarioSet.load(from: CandidateFixtures.smallScenarioSet)
        let channel = InMemoryChannel { body in
            guard let step = read(body, { $0.u8() == SpotWire.stepOpcode ? SpotWire.decodeStep(&$0) : nil }) else { return nil }
            return Array(repeating: Cluster.onDemand.rawValue, count: step.queries.count)
        }
        let result = try SpotCandidateRunner(set: set).run(channel).get()
        #expect(result.meanCost == BuiltinSpotPolicy.onDemand.run(set).meanCost)
        #expect(channel.finished && !channel.killed)
    }

    @Test func aSpotDecisionOutsideTheClusterTypesIsInvalid() throws {
        let set = try SpotScenarioSet.load(from: CandidateFixtures.smallScenarioSet)
        let channel = InMemoryChannel { body in
            guard let step = read(body, { $0.u8() == SpotWire.stepOpcode ? SpotWire.decodeStep(&$0) : nil }) else { return nil }
            return Array(repeating: 7, count: step.queries.count)
        }
        guard case .failure(let failure) = SpotCandidateRunner(set: set).run(channel) else {
            Issue.record("decision 7 was accepted")
            return
        }
        #expect(failure.kind == .invalidAnswer && failure.message.contains("decision 7"))
        #expect(channel.killed)
    }

    /// A one-shot child answering each request's decoded instance with `answer` (nil: died).
    static func oneShotChild<Input>(_ decode: @escaping (inout WireReader) -> Input?,
                                    _ answer: @escaping (Input, inout WireWriter) -> Void) -> InMemoryChannel {
        InMemoryChannel { body in
            guard let input = read(body, { $0.u8() == 1 ? decode(&$0) : nil }) else { return nil }
            var writer = WireWriter()
            answer(input, &writer)
            return Array(writer.bytes.dropFirst(4))  // the channel hands back the payload, like ChildSession
        }
    }

    static let eplbShape = EPLBShape(replicas: 4, groups: 1, nodes: 1, gpus: 2)
    static let eplbWindows: [[[Double]]] = [[[4, 1, 2]], [[3, 3, 1]]]

    @Test func anEPLBPlacementIsValidatedAndKept() throws {
        let channel = Self.oneShotChild(OneShotWire.decodeEPLB) { input, writer in
            writer.removeAll()
            writer.u32(0)
            OneShotWire.writeRows(DeepSeekEPLB.place(input), into: &writer)
            OneShotWire.finish(&writer)
        }
        let placed = try EPLBCandidateRunner(windows: Self.eplbWindows, shape: Self.eplbShape).placements(channel, at: [0]).get()
        #expect(placed.map(\.placement.phy2log) == [DeepSeekEPLB.place(Self.eplbShape.input(Self.eplbWindows[0]))])
        #expect(channel.finished && !channel.killed)
    }

    @Test func anEPLBExpertOutOfRangeIsInvalid() {
        let channel = Self.oneShotChild(OneShotWire.decodeEPLB) { _, writer in
            writer.removeAll()
            writer.u32(0)
            OneShotWire.writeRows([[0, 1, 2, 9]], into: &writer)
            OneShotWire.finish(&writer)
        }
        guard case .failure(let failure) = EPLBCandidateRunner(windows: Self.eplbWindows, shape: Self.eplbShape).placements(channel, at: [0])
        else {
            Issue.record("expert 9 of 3 was accepted")
            return
        }
        #expect(failure.kind == .invalidAnswer && channel.killed)
    }

    static let table = PrefixTable(columns: ["a", "b"], rows: [["x", "y"], ["x", "z"], ["w", "y"]])

    @Test func aPrefixOrderingIsScoredExactly() throws {
        let ordering = PrefixOrdering(fieldOrders: [[1, 0], [0, 1], [1, 0]])
        let channel = Self.oneShotChild(OneShotWire.decodePrefix) { _, writer in OneShotWire.encode(ordering, into: &writer) }
        let scores = try PrefixCandidateRunner(tables: [(name: "t", table: Self.table)]).run(channel).get()
        #expect(scores.map(\.rate.hitChars) == [try PrefixHitRate(table: Self.table, ordering: ordering).hitChars])
        #expect(channel.finished)
    }

    @Test func aPrefixOrderingThatDropsAFieldIsInvalid() {
        let channel = Self.oneShotChild(OneShotWire.decodePrefix) { table, writer in
            OneShotWire.encode(PrefixOrdering(fieldOrders: table.rows.map { _ in [0] }), into: &writer)
        }
        guard case .failure(let failure) = PrefixCandidateRunner(tables: [(name: "t", table: Self.table)]).run(channel)
        else {
            Issue.record("a dropped field was accepted")
            return
        }
        #expect(failure.kind == .invalidAnswer && channel.killed)
    }

    @Test func aMultiRegionDecisionOutsideTheClusterTypesIsInvalid() throws {
        let set = try MultiRegionScenarioSet.load(from: TestPaths.repositoryRoot.appendingPathComponent("traces/spot-multi/scenarios-small.json"))
        let channel = InMemoryChannel { body in
            guard let count = read(body, { reader -> Int? in
                guard reader.u8() == SpotMultiWire.stepOpcode else { return nil }
                _ = reader.u32()
                _ = reader.u32()
                return reader.u32().map(Int.init)
            }) else { return nil }
            var answer: [UInt8] = []
            for _ in 0..<count { answer += [9, 0xFF, 0xFF, 0xFF, 0xFF] }
            return answer
        }
        guard case .failure(let failure) = SpotMultiCandidateRunner(set: set, model: .corrected).run(channel)
        else {
            Issue.record("cluster 9 was accepted")
            return
        }
        #expect(failure.kind == .invalidAnswer && channel.killed)
    }
}
