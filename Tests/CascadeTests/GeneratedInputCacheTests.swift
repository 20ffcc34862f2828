import Foundation
import Sim
import TestSupport
import Testing
@testable import Cascade

/// Research-scale inputs generated at first use: generated once, pinned, keyed by the manifest.
@Suite struct GeneratedInputCacheTests {
    private let files = [GeneratedFile(name: "a.json", contents: "{\"a\": 1}\n"), GeneratedFile(name: "b/c.csv", contents: "x\n1\n")]

    /// A manifest folder with `manifest.json` holding `text`, pinned to `files` unless `pins` is given.
    private func manifest(_ text: String, pins: String? = nil) throws -> URL {
        let folder = try TestPaths.temporaryDirectory()
        let url = folder.appendingPathComponent("manifest.json")
        try text.write(to: url, atomically: true, encoding: .utf8)
        try (pins ?? GeneratedInputCache.pins(files)).write(to: folder.appendingPathComponent(GeneratedInputCache.pinsName),
                                                            atomically: true, encoding: .utf8)
        return url
    }

    @Test func generatesOnceThenAnswersFromTheFolder() throws {
        let cache = GeneratedInputCache(root: try TestPaths.temporaryDirectory().appendingPathComponent("inputs"))
        let url = try manifest("{\"seed\": 1}\n")
        var calls = 0
        let first = try cache.folder(problem: "spot", manifest: url) { _ in calls += 1; return files }
        let again = try cache.folder(problem: "spot", manifest: url) { _ in calls += 1; return files }
        #expect(first == again && calls == 1)
        #expect(try String(contentsOf: first.appendingPathComponent("b/c.csv"), encoding: .utf8) == "x\n1\n")
        // No staging folder is left behind.
        let entries = try FileManager.default.contentsOfDirectory(atPath: cache.root.path)
        #expect(entries == [first.lastPathComponent], "\(entries)")
        // Another manifest is another folder.
        try "{\"seed\": 2}\n".write(to: url, atomically: true, encoding: .utf8)
        let other = try cache.folder(problem: "spot", manifest: url) { _ in calls += 1; return files }
        #expect(other != first && calls == 2)
    }

    /// New pins (a generator whose output changed) are a new folder, never the old files; a
    /// damaged file (another size than pinned) makes the folder regenerate.
    @Test func newPinsOrADamagedFileRegenerate() throws {
        let cache = GeneratedInputCache(root: try TestPaths.temporaryDirectory().appendingPathComponent("inputs"))
        let url = try manifest("{\"seed\": 1}\n")
        var calls = 0
        let first = try cache.folder(problem: "spot", manifest: url) { _ in calls += 1; return files }
        try "{\"a\": 1".write(to: first.appendingPathComponent("a.json"), atomically: true, encoding: .utf8)  // truncated
        let again = try cache.folder(problem: "spot", manifest: url) { _ in calls += 1; return files }
        #expect(again == first && calls == 2)
        #expect(try String(contentsOf: again.appendingPathComponent("a.json"), encoding: .utf8) == files[0].contents)
        var changed = files
        changed[0].contents = "{\"a\": 2}\n"
        try GeneratedInputCache.pins(changed).write(to: url.deletingLastPathComponent().appendingPathComponent(GeneratedInputCache.pinsName),
                                                   atomically: true, encoding: .utf8)
        let repinned = try cache.folder(problem: "spot", manifest: url) { _ in calls += 1; return changed }
        #expect(repinned != first && calls == 3)
        // Nothing but the two sets is left (no staging or trash folder).
        #expect(Set(try FileManager.default.contentsOfDirectory(atPath: cache.root.path)) == [first.lastPathComponent, repinned.lastPathComponent])
    }

    @Test func outputThatDiffersFromThePinsIsRefusedAndNotCached() throws {
        let cache = GeneratedInputCache(root: try TestPaths.temporaryDirectory().appendingPathComponent("inputs"))
        var changed = files
        changed[0].contents = "{\"a\": 2}\n"
        let url = try manifest("{}\n")
        #expect(throws: CascadeError.self) { try cache.folder(problem: "spot", manifest: url) { _ in changed } }
        #expect((try? FileManager.default.contentsOfDirectory(atPath: cache.root.path)) ?? [] == [])
        // Missing pins are refused too.
        try FileManager.default.removeItem(at: url.deletingLastPathComponent().appendingPathComponent(GeneratedInputCache.pinsName))
        #expect(throws: CascadeError.self) { try cache.folder(problem: "spot", manifest: url) { _ in files } }
    }

    @Test func pinsNameEveryFileWithItsSizeAndHash() {
        let lines = GeneratedInputCache.pins(files).split(separator: "\n")
        #expect(lines.count == 2 && lines[0].hasSuffix(" 9 a.json") && lines[1].hasSuffix(" 4 b/c.csv"))
        var other = files
        other[1].contents = "x\n2\n"
        #expect(GeneratedInputCache.pins(other) != GeneratedInputCache.pins(files))
    }
}
