import Foundation
import TestSupport
import Testing

extension CandidateSandboxTests {
    /// A source that does not compile is answered from the cache on a repeat.
    @Suite struct CompileCache {
        @Test func aFailedCompileIsAnsweredFromTheCache() throws {
            let url = try TestPaths.temporaryDirectory().appendingPathComponent("broken.swift")
            try """
                import CandidateAPI
                // failed-compile-cache-probe
                struct Candidate: SpotPolicy {
                    init() {}
                    mutating func decide(_ v: SpotView) -> Cluster { undefinedName }
                }
                """.write(to: url, atomically: true, encoding: .utf8)
            let first = try CandidateFixtures.eval(url, ["--problem", "spot"]).json()
            let failure = try #require(first["failure"] as? [String: Any])
            #expect(failure["kind"] as? String == "compile_error" && (failure["message"] as? String ?? "").contains("undefinedName"))
            // The entry holds the diagnostics; a repeat returns what it holds, so no compiler ran.
            let candidates = CandidateFixtures.cache.appendingPathComponent("candidates")
            let entries = try FileManager.default.contentsOfDirectory(atPath: candidates.path).map { candidates.appendingPathComponent($0) }
            let entry = try #require(entries.first { entry in
                (try? String(contentsOf: entry.appendingPathComponent("key"), encoding: .utf8))?.contains("failed-compile-cache-probe") == true
            })
            try "probe: served from the cache".write(to: entry.appendingPathComponent("compile-error"), atomically: true, encoding: .utf8)
            let again = try CandidateFixtures.eval(url, ["--problem", "spot"]).json()
            #expect((again["failure"] as? [String: Any])?["message"] as? String == "probe: served from the cache")
            #expect((again["failure"] as? [String: Any])?["kind"] as? String == "compile_error")
            #expect((again["timing"] as? [String: Any])?["compile_cached"] as? Bool == true, "a cached failure says so")
        }
    }
}
