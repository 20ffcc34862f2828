import Foundation
import CandidateAPI
@testable import Cascade
import Sim
import TestSupport
import Testing

/// Spot or nothing: cheap, and late when preemptions eat the slack while it rides spot.
private struct SpotOrNothing: SpotPolicy {
    mutating func decide(_ v: SpotView) -> Cluster { v.hasSpot ? .spot : .none }
}

@Suite struct SpotLevelsTests {
    private func search() throws -> SpotScenarioSet {
        try SpotScenarioSet.load(from: TestPaths.spotTraces.appendingPathComponent("scenarios-small.json"))
    }

    @Test func costModelMergesTicksOnTheBaseTracesClock() throws {
        let set = try search()
        let probes = try #require(SpotLevels.costModelSet(set))
        let k = SpotLevels.mergeFactor
        #expect(probes.gapSeconds == set.gapSeconds * Double(k))
        // One probe per (environment, deadline, overhead) stratum: 8 × 3 × 3.
        #expect(probes.scenarios.count == 72)
        for probe in probes.scenarios {
            let native = try #require(set.scenarios.first { $0.baseTrace == probe.baseTrace && $0.traceID == probe.traceID
                && $0.deadlineHours == probe.deadlineHours && $0.overheadHours == probe.overheadHours })
            #expect(probe.startTick == native.startTick / k)
            let base = native.window.startIndex - native.startTick
            for (b, merged) in probe.window.enumerated() {
                let bucket = probe.startTick + b
                let ticks = (bucket * k ..< (bucket + 1) * k).filter { $0 >= native.startTick && $0 < native.startTick + native.ticks }
                let anyUnavailable = ticks.contains { native.window[base + $0] == 1 }
                #expect((merged == 1) == anyUnavailable, "bucket \(bucket)")
            }
            #expect(probe.ticks >= probe.job.requiredTicks(gapSeconds: probes.gapSeconds))
        }
    }

    @Test func coarseIsASeededTenPercentOfEveryStratum() throws {
        let set = try search()
        let coarse = SpotLevels.coarseSet(set, seed: 0)
        #expect(coarse.scenarios.count == 144)  // 2 of each stratum's 20
        #expect(SpotLevels.coarseSet(set, seed: 0).scenarios.map(\.startTick) == coarse.scenarios.map(\.startTick))
        #expect(SpotLevels.coarseSet(set, seed: 1).scenarios.map(\.startTick) != coarse.scenarios.map(\.startTick))
        var perStratum: [String: Int] = [:]
        for s in coarse.scenarios { perStratum["\(s.env)|\(s.deadlineHours)|\(s.overheadHours)", default: 0] += 1 }
        #expect(perStratum.count == 72 && perStratum.values.allSatisfy { $0 == 2 })
    }

    @Test func levelsAreCheapestFirstAndTheFineLevelIsTheWholeSet() throws {
        let set = try search()
        let levels = try SpotLevels.make(search: set)
        #expect(levels.map(\.name) == ["cost_model", "coarse", "fine"])
        #expect(levels[2].set.scenarios.count == set.scenarios.count)
        #expect(!levels[0].failOnDeadlineMiss && levels[1].failOnDeadlineMiss && levels[2].failOnDeadlineMiss)
        // The reference is the greedy template's value on the level's own inputs.
        #expect(levels[2].referenceMetrics()["mean_cost"] == BuiltinSpotPolicy.greedy.run(set).meanCost)
        #expect(levels.allSatisfy { $0.metrics.map(\.name) == ["mean_cost", "deadline_misses"] })
    }

    @Test func rareLateFinishesOnlyShowInTheFineLevel() throws {
        let levels = try SpotLevels.make(search: try search())
        func lateScenarios(_ level: SpotFidelityLevel) -> [SpotScenario] {
            level.set.scenarios.filter { s in
                var policy = SpotOrNothing()
                return !SpotSimulator.run(window: s.window, gapSeconds: level.set.gapSeconds, job: s.job, policy: &policy).deadlineMet
            }
        }
        let fine = lateScenarios(levels[2]), coarse = lateScenarios(levels[1])
        #expect(fine.count > coarse.count)
        // Some of the fine level's late scenarios are not in the coarse sample at all.
        let sampled = Set(levels[1].set.scenarios.map { "\($0.baseTrace)|\($0.startTick)|\($0.deadlineHours)|\($0.overheadHours)" })
        #expect(fine.contains { !sampled.contains("\($0.baseTrace)|\($0.startTick)|\($0.deadlineHours)|\($0.overheadHours)") })
    }

    @Test func sequentialUnitsAreWholeBaseTraceFiles() throws {
        let set = try search()
        let fine = SpotFidelityLevel(name: "fine", set: set, failOnDeadlineMiss: true)
        let units = fine.units
        #expect(units.count == 16 && units.flatMap { $0 }.sorted() == Array(set.scenarios.indices))
        for unit in units { #expect(Set(unit.map { set.scenarios[$0].baseTracePath }).count == 1) }
        #expect(Set(units.map { set.scenarios[$0[0]].baseTracePath }).count == 16)
        // The cost model's probes of one trace (different strata) are one unit too.
        let probes = try #require(SpotLevels.costModelSet(set))
        let probeUnits = SpotFidelityLevel(name: "cost_model", set: probes, failOnDeadlineMiss: false).units
        #expect(probeUnits.count == Set(probes.scenarios.map(\.baseTracePath)).count)
    }

    @Test func oneTraceSpelledTwoWaysIsOneTrace() throws {
        let folder = try TestPaths.temporaryDirectory()
        var file = try JSONSerialization.jsonObject(
            with: Data(contentsOf: TestPaths.spotTraces.appendingPathComponent("scenarios-small.json"))) as! [String: Any]
        let rows = Array((file["scenarios"] as! [[String: Any]]).prefix(2)).enumerated().map { i, row in
            var row = row
            let path = TestPaths.spotTraces.appendingPathComponent(row["base_trace"] as! String).path
            row["base_trace"] = i == 0 ? path : TestPaths.spotTraces.path + "/./" + (row["base_trace"] as! String)
            return row
        }
        file["scenarios"] = rows
        let url = folder.appendingPathComponent("two.json")
        try JSONSerialization.data(withJSONObject: file).write(to: url)
        let set = try SpotScenarioSet.load(from: url)
        #expect(set.scenarios[0].baseTracePath == set.scenarios[1].baseTracePath)
        #expect(SpotFidelityLevel(name: "fine", set: set, failOnDeadlineMiss: true).units.count == 1)
    }
}
