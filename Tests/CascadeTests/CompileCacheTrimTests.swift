import Foundation
import TestSupport
import Testing
@testable import Cascade
#if canImport(Glibc)
import Glibc
#endif

/// The compile cache's size cap: least recently used entries go first, recent ones never.
@Suite struct CompileCacheTrimTests {
    /// Makes `candidates/<name>/candidate` of `bytes` bytes, last used `age` seconds ago.
    private func entry(_ candidates: URL, _ name: String, bytes: Int, age: Double) throws {
        let folder = candidates.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Data(repeating: 1, count: bytes).write(to: folder.appendingPathComponent("candidate"))
        try Data("key".utf8).write(to: folder.appendingPathComponent("key"))
        let when = Date().timeIntervalSince1970 - age
        var times = [timeval(tv_sec: Int(when), tv_usec: 0), timeval(tv_sec: Int(when), tv_usec: 0)]
        #expect(utimes(folder.path, &times) == 0)
    }

    @Test func evictsTheLeastRecentlyUsedUntilUnderTheCap() throws {
        let candidates = TestPaths.sessionFolder.appendingPathComponent("trim-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: candidates) }
        try entry(candidates, "oldest", bytes: 1 << 20, age: 3_000)
        try entry(candidates, "older", bytes: 1 << 20, age: 2_000)
        try entry(candidates, "old", bytes: 1 << 20, age: 1_000)
        try entry(candidates, "recent", bytes: 1 << 20, age: 10)
        let removed = CompileCacheTrim(maxBytes: (2 << 20) + (64 << 10)).trim(candidates)
        #expect(removed == ["oldest", "older"])
        let left = try FileManager.default.contentsOfDirectory(atPath: candidates.path).sorted()
        #expect(left == ["old", "recent"])
    }

    @Test func neverEvictsAnEntryUsedWithinTheGracePeriod() throws {
        let candidates = TestPaths.sessionFolder.appendingPathComponent("trim-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: candidates) }
        try entry(candidates, "a", bytes: 1 << 20, age: 5)
        try entry(candidates, "b", bytes: 1 << 20, age: 1)
        #expect(CompileCacheTrim(maxBytes: 1 << 10).trim(candidates).isEmpty)
    }

    @Test func theCapComesFromTheEnvironment() {
        #expect(CompileCacheTrim.defaultMaxBytes(["SIM_CASCADE_CACHE_MAX_MB": "300"]) == 300 << 20)
        #expect(CompileCacheTrim.defaultMaxBytes([:]) == 2 << 30)
        #expect(CompileCacheTrim.defaultMaxBytes(["SIM_CASCADE_CACHE_MAX_MB": "-1"]) == 2 << 30)
    }
}
