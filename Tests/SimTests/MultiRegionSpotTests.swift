import CandidateAPI
import Foundation
@testable import Sim
import TestSupport
import Testing

/// The multi-region simulator against the public evaluator's published figures.
@Suite struct MultiRegionSpotTests {
    static func leaderboard() throws -> MultiRegionScenarioSet {
        try MultiRegionScenarioSet.load(from: try TestPaths.referenceData()
            .appendingPathComponent("spot/multi_region/scenarios-leaderboard-multi.json"))
    }

    @Test(.needsReferenceData) func roundRobinReproducesTheReferenceModelExactly() throws {
        let set = try Self.leaderboard()
        #expect(set.runs.count == 34 && set.gapSeconds == 195)
        let result = BuiltinMultiRegionPolicy.roundRobin.run(set, model: .reference)
        #expect(result.meanCost == 82.18692369213043)
        let published = [135.7652, 62.5726, 67.1530, 127.2302, 52.4104, 47.9901]
        for (mean, expected) in zip(result.scenarioMeans, published) {
            #expect(abs(mean.meanCost - expected) < 5e-5, "\(mean.name): \(mean.meanCost)")
        }
    }

    @Test(.needsReferenceData) func roundRobinUnderTheCorrectedModel() throws {
        let result = BuiltinMultiRegionPolicy.roundRobin.run(try Self.leaderboard(), model: .corrected)
        #expect(result.meanCost == 81.76254696759312)
        #expect(result.deadlineMisses == 0)
    }

    @Test(.needsReferenceData) func theCommittedTracesAreTheManifestsOutputAndItsRegionsAreFittedToTheReferenceData() throws {
        let (differing, extra) = try CommittedInputs.mismatches(problem: "spot-multi") { SpotMultiTraceGenerator(manifest: try SpotMultiTraceManifest.load(from: $0)).files() }
        #expect(differing.isEmpty && extra.isEmpty, "regenerate with `sim-cascade traces generate spot-multi`: \(differing) \(extra)")
        let manifest = try SpotMultiTraceManifest.load(from: TestPaths.repositoryRoot.appendingPathComponent("traces/spot-multi/manifest.json"))
        let data = try TestPaths.referenceData()
        for region in manifest.regions {
            let folder = data.appendingPathComponent(region.fittedTo)
            let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".json") }.sorted()
            let refit = SpotMultiTraceGenerator.fit(region: region.name, fittedTo: region.fittedTo,
                                                    traces: try files.map { try SpotTrace.load(from: folder.appendingPathComponent($0)) })
            #expect(refit == region)
        }
    }

    @Test func generatedSetsAreTimeAlignedPricedAndDisjoint() throws {
        let root = TestPaths.repositoryRoot.appendingPathComponent("traces/spot-multi")
        let search = try MultiRegionScenarioSet.load(from: root.appendingPathComponent("scenarios-small.json"))
        let held = try MultiRegionScenarioSet.load(from: root.appendingPathComponent("scenarios-small-heldout.json"))
        for set in [search, held] {
            #expect(set.runs.allSatisfy { run in run.unavailable.allSatisfy { $0.count == 1107 } && run.prices.allSatisfy { $0.count == 1107 } })
            // Both models run every built-in without a deadline miss.
            for policy in BuiltinMultiRegionPolicy.allCases {
                for model in MultiRegionModel.allCases { #expect(policy.run(set, model: model).deadlineMisses == 0) }
            }
        }
        #expect(search.runs[0].unavailable != held.runs[0].unavailable)
    }

    /// The corrected model's rules, one tick at a time on a hand-made pair of regions.
    @Test func theCorrectedModelBillsWhereItRunsAndBindsTheInstanceToItsRegion() throws {
        let job = try SpotJob(taskHours: 3, deadlineHours: 10, overheadHours: 0.1)
        let input = MultiRegionRunInput(scenario: "s", traceIndex: 0, unavailable: [[0, 0, 1, 1, 0, 0], [0, 0, 0, 0, 0, 0]],
                                        prices: [[1, 1, 1, 1, 1, 1], [2, 3, 4, 5, 6, 7]])
        var run = MultiRegionRun(model: .corrected, job: job, gapSeconds: 3600, input: input)
        var view = run.observe()
        #expect(view.observedRegion == 0 && view.hasSpot && view.spotPrices == [1, 2])
        run.apply(MultiRegionDecision(.spot))  // launch in region 0: overhead 0.1 h
        run.advance()
        view = run.observe()
        #expect(view.instanceRegion == 0 && view.remainingRestartOverhead == 0)
        run.apply(MultiRegionDecision(.spot, region: 1))  // same type, other region: a new launch
        run.advance()
        view = run.observe()
        #expect(view.instanceRegion == 1 && view.observedRegion == 1 && view.workDone == 0.9 * 3600 + 0.9 * 3600)
        // Ticks 0 and 1 billed at region 0's price, tick 1's launch in region 1 at region 1's price of tick 1.
        #expect(run.cost == (1.0 * 3600) / 3600 + (3.0 * 3600) / 3600)
        // A blind launch: the pointer moves to region 0 where spot is gone at tick 2: idle, unbilled.
        run.apply(MultiRegionDecision(.spot, region: 0))
        #expect(run.current == .none && run.pointer == 0)
    }

    /// Runs spot where it is up; when it is not, moves to the first region with spot (reference
    /// model: every region's availability is in the view) or, not knowing (corrected model), tries
    /// a blind launch in the next region of the ring.
    struct FirstRegionWithSpot: MultiRegionPolicy {
        var views: [MultiRegionView] = []
        init() {}
        mutating func decide(_ v: MultiRegionView) -> MultiRegionDecision {
            views.append(v)
            if v.hasSpot { return MultiRegionDecision(.spot) }
            if let everyRegion = v.spotAvailableByRegion {
                return everyRegion.firstIndex(of: true).map { MultiRegionDecision(.spot, region: $0) } ?? MultiRegionDecision(.none)
            }
            return MultiRegionDecision(.spot, region: (v.regionPointer + 1) % v.regionCount)
        }
    }

    /// Three regions, 1 h ticks, a 2 h job with a 0.5 h restart overhead and a 6 h deadline.
    /// Spot: region 0 at tick 0 only, region 1 from tick 3, region 2 from tick 1.
    ///
    /// Reference: tick 0 spot in region 0 (overhead); tick 1 preempted (0.5 h done), every region
    /// visible: move to region 2 and launch (overhead); ticks 2 and 3 run there: done at tick 3
    /// (0.5 + 0.5 + 1 h). Billed ticks 0, 1, 2 as spot, each at region 2's tick-0 price (the pointer
    /// ends there): 3 × 2 $ = 6 $.
    ///
    /// Corrected: tick 0 the same (billed 1 $ in region 0); tick 1 preempted, nothing visible: a
    /// blind launch in region 1, where spot is gone: idle, unbilled; tick 2 spot still gone in
    /// region 1 (seen as the pointer's region): a launch in region 2 (overhead, billed 3 $ at its
    /// tick-2 price); ticks 3 run there (3 $): done at tick 4 (0.5 + 0.5 + 1 h). 1 + 3 + 3 = 7 $.
    @Test func everyRegionsAvailabilityIsVisibleUnderTheReferenceModelOnly() throws {
        let job = try SpotJob(taskHours: 2, deadlineHours: 6, overheadHours: 0.5)
        let input = MultiRegionRunInput(
            scenario: "s", traceIndex: 0,
            unavailable: [[0, 1, 1, 1, 1, 1, 1], [1, 1, 1, 0, 0, 0, 0], [1, 0, 0, 0, 0, 0, 0]],
            prices: [[1, 1, 1, 1, 1, 1, 1], [0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5], [2, 2, 3, 3, 3, 3, 3]])
        var reference = FirstRegionWithSpot()
        let r = MultiRegionRun.run(&reference, model: .reference, job: job, gapSeconds: 3600, input: input)
        #expect(r == MultiRegionRunResult(cost: 6, endTick: 3, finished: true, deadlineMet: true))
        #expect(reference.views.map(\.spotAvailableByRegion) == [[true, false, false], [false, false, true],
                                                                  [false, false, true], [false, true, true]])
        var corrected = FirstRegionWithSpot()
        let c = MultiRegionRun.run(&corrected, model: .corrected, job: job, gapSeconds: 3600, input: input)
        #expect(c == MultiRegionRunResult(cost: 7, endTick: 4, finished: true, deadlineMet: true))
        #expect(corrected.views.allSatisfy { $0.spotAvailableByRegion == nil })
        #expect(corrected.views.map(\.observedRegion) == [0, 0, 1, 2, 2])
    }

    /// Round-robin, plus one move when the work is done: to the region whose spot price was
    /// lowest at tick 0. The reference model re-prices every spot tick of the run there.
    struct RepricingExploit: MultiRegionPolicy {
        var base = RoundRobinPolicy()
        var firstPrices: [Double] = []
        init() {}
        mutating func decide(_ v: MultiRegionView) -> MultiRegionDecision {
            if firstPrices.isEmpty { firstPrices = v.spotPrices }
            guard v.remainingWork <= 1e-3 else { return base.decide(v) }
            return MultiRegionDecision(.none, region: firstPrices.indices.min { firstPrices[$0] < firstPrices[$1] }!)
        }
    }

    @Test(.needsReferenceData) func aMoveInTheCompletionTickRepricesTheReferenceBillButNotTheCorrectedOne() throws {
        let set = try Self.leaderboard()
        func score(_ model: MultiRegionModel) -> Double {
            var sum = 0.0
            var results: [MultiRegionRunResult] = []
            for input in set.runs {
                var policy = RepricingExploit()
                results.append(MultiRegionRun.run(&policy, model: model, job: set.job, gapSeconds: set.gapSeconds, input: input))
            }
            sum = MultiRegionSetResult(set: set, results: results).meanCost
            return sum
        }
        let reference = score(.reference), corrected = score(.corrected)
        #expect(reference < 82.18692369213043 - 1, "the exploit gains under the reference model (\(reference))")
        #expect(corrected == 81.76254696759312, "and nothing under the corrected one")
    }

    @Test func theMigrationOverheadIsPaidByAnyLaunchAwayFromTheJobsRegion() throws {
        let job = try SpotJob(taskHours: 3, deadlineHours: 10, overheadHours: 0.1)
        let input = MultiRegionRunInput(scenario: "s", traceIndex: 0, unavailable: [[0, 0, 0, 0], [0, 0, 0, 0]],
                                        prices: [[1, 1, 1, 1], [1, 1, 1, 1]])
        var run = MultiRegionRun(model: .corrected, job: job, gapSeconds: 3600, input: input, migrationOverheadSeconds: 1800)
        _ = run.observe()
        run.apply(MultiRegionDecision(.spot))  // the first launch: no migration
        #expect(run.rro == 360)
        run.advance()
        _ = run.observe()
        run.apply(MultiRegionDecision(.none, region: 1))  // idle a tick in between…
        run.advance()
        _ = run.observe()
        run.apply(MultiRegionDecision(.spot))  // …the launch in region 1 still migrates the job
        #expect(run.rro == 360 + 1800)
    }
}
