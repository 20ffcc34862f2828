import Foundation
import Sim
import TestSupport
import Testing
import SimCore

@Suite struct SpotTraceGeneratorTests {
    private func manifest() throws -> SpotTraceManifest {
        try SpotTraceManifest.load(from: TestPaths.spotTraces.appendingPathComponent("manifest.json"))
    }

    @Test func committedTracesRegenerateByteForByte() throws {
        let files = SpotTraceSetGenerator(manifest: try manifest()).files()
        #expect(files.count == 34)  // 16 search traces + scenarios, 16 held-out traces + scenarios
        for file in files {
            let committed = try Data(contentsOf: TestPaths.spotTraces.appendingPathComponent(file.name))
            #expect(committed == Data(file.contents.utf8), "\(file.name) differs from its manifest's output")
        }
        // Nothing else lies in the folder (no stale output of an earlier manifest).
        let present = Set(try FileManager.default.contentsOfDirectory(atPath: TestPaths.spotTraces.path))
        #expect(present == Set(files.map(\.name) + ["manifest.json", "research"]))
    }

    /// The research-scale manifest (generated at first use, pinned by its files.fnv1a) draws
    /// from the same fitted profiles, with its own seeds, and mixes two job lengths.
    @Test func theResearchManifestSharesTheFittedProfiles() throws {
        let research = try SpotTraceManifest.load(from: TestPaths.spotTraces.appendingPathComponent("research/manifest.json"))
        let small = try manifest()
        #expect(research.profiles == small.profiles && research.seed != small.seed && research.heldOut?.seed != small.heldOut?.seed)
        let plan = research.scenarios
        let perWindow = plan.restartOverheadHours.count * plan.jobs.reduce(0) { $0 + $1.deadlineHours.count }
        #expect(research.profiles.count * research.tracesPerProfile * plan.windowsPerTrace * perWindow == 43_200)
        #expect(Set(plan.jobs.map(\.taskHours)).count == 2)
    }

    /// Extra jobs add rows after the first job's in each window; without them the output is
    /// what it was.
    @Test func extraJobsAddScenariosWithTheirOwnTaskAndDeadlines() throws {
        var plain = try manifest()
        plain.tracesPerProfile = 1
        plain.scenarios.windowsPerTrace = 2
        plain.heldOut = nil
        var mixed = plain
        mixed.scenarios.extraJobs = [.init(taskHours: 24, deadlineHours: [26, 46])]
        let folder = try TestPaths.temporaryDirectory()
        func scenarios(_ m: SpotTraceManifest) throws -> SpotScenarioSet {
            for file in SpotTraceSetGenerator(manifest: m).files() {
                try Data(file.contents.utf8).write(to: folder.appendingPathComponent(file.name))
            }
            return try SpotScenarioSet.load(from: folder.appendingPathComponent(m.scenarios.file))
        }
        let a = try scenarios(plain), b = try scenarios(mixed)
        #expect(b.scenarios.count == a.scenarios.count * 5 / 3)
        #expect(b.scenarios.filter { $0.taskHours == 48 }.map(\.deadlineHours) == a.scenarios.map(\.deadlineHours))
        #expect(Set(b.scenarios.filter { $0.taskHours == 24 }.map(\.deadlineHours)) == [26, 46])
    }

    @Test(.needsReferenceData) func manifestProfilesAreTheFitOfTheReferenceTraces() throws {
        let data = try TestPaths.referenceData()
        for profile in try manifest().profiles {
            let trace = try SpotTrace.load(from: data.appendingPathComponent(profile.fittedTo))
            let refit = try SpotTraceProfile.fit(trace, name: profile.name, fittedTo: profile.fittedTo)
            #expect(refit == profile)
        }
    }

    @Test func generatedTracesKeepTheFittedUnavailableShare() throws {
        // Long-run share of unavailable ticks within 3 points of the model's, per profile.
        for profile in try manifest().profiles {
            var rng = SeededGenerator(seed: 99)
            let data = profile.generate(ticks: 400_000, using: &rng)
            let share = Double(data.reduce(0) { $0 + Int($1) }) / Double(data.count)
            #expect(abs(share - profile.unavailableShare) < 0.03, "\(profile.name)")
        }
    }

    @Test func fitRecoversTheModelOfALongGeneratedTrace() {
        let truth = SpotTraceProfile(name: "t", fittedTo: "-", available: .init(mu: 2.0, sigma: 0.8),
                                     unavailable: .init(mu: 1.2, sigma: 0.6))
        var rng = SeededGenerator(seed: 5)
        let trace = SpotTrace(gapSeconds: 600, unavailable: truth.generate(ticks: 300_000, using: &rng))
        let fitted = try? SpotTraceProfile.fit(trace, name: "t", fittedTo: "-")
        // Rounding to whole ticks perturbs short runs, so allow a loose match.
        #expect(abs((fitted?.available.meanLength ?? 0) - truth.available.meanLength) < 0.05 * truth.available.meanLength)
        #expect(abs((fitted?.unavailable.meanLength ?? 0) - truth.unavailable.meanLength) < 0.05 * truth.unavailable.meanLength)
    }

    @Test func manifestsAskingForTooMuchOrEscapingTheirFolderAreRejected() throws {
        let good = try manifest()
        var huge = good
        huge.ticksPerTrace = 1_000_000_000_000_000
        var escaping = good
        escaping.scenarios.file = "../../escaped.json"
        var duplicate = good
        duplicate.profiles[1].name = duplicate.profiles[0].name
        var negative = good
        negative.scenarios.deadlineHours = [-5]
        let folder = try TestPaths.temporaryDirectory()
        for (i, bad) in [huge, escaping, duplicate, negative].enumerated() {
            let url = folder.appendingPathComponent("m\(i).json")
            try JSONEncoder().encode(bad).write(to: url)
            #expect(throws: SimError.self) { _ = try SpotTraceManifest.load(from: url) }
        }
    }

    @Test func heldOutScenariosShareNoTraceWithTheSearchSet() throws {
        let search = try SpotScenarioSet.load(from: TestPaths.spotTraces.appendingPathComponent("scenarios-small.json"))
        let heldOut = try SpotScenarioSet.load(from: TestPaths.spotTraces.appendingPathComponent("scenarios-small-heldout.json"))
        #expect(heldOut.scenarios.count == search.scenarios.count)
        #expect(Set(search.scenarios.map(\.baseTrace)).isDisjoint(with: Set(heldOut.scenarios.map(\.baseTrace))))
        // Different seeds: the traces themselves differ, not just their names.
        let a = try SpotTrace.load(from: TestPaths.spotTraces.appendingPathComponent(search.scenarios[0].baseTrace))
        let b = try SpotTrace.load(from: TestPaths.spotTraces.appendingPathComponent(heldOut.scenarios[0].baseTrace))
        #expect(a.unavailable != b.unavailable)
    }

    @Test func defaultScenarioSetLoadsAndEveryPolicyMeetsItsDeadlines() throws {
        let set = try SpotScenarioSet.load(from: TestPaths.spotTraces.appendingPathComponent("scenarios-small.json"))
        #expect(set.scenarios.count == 1440)
        for policy in BuiltinSpotPolicy.allCases {
            #expect(policy.run(set).deadlineMisses == 0, "\(policy.rawValue)")
        }
    }
}
