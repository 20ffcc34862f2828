import Foundation
import Testing
@testable import Cascade
#if canImport(Glibc)
import Glibc
#endif

/// The spawner gives each descriptor to its target even when sources and targets overlap (the
/// dup2s run in order: a source numbered like an earlier target was replaced before its turn).
@Suite struct ProcessSpawnerTests {
    @Test func overlappingSourcesAndTargetsReachTheirOwnTargets() throws {
        let first = try Pipe2(), second = try Pipe2()
        // Two free descriptors a < b holding the write ends, given to the child swapped:
        // the child's b is the first pipe, its a the second.
        let a = fcntl(first.write, F_DUPFD_CLOEXEC, 300), b = fcntl(second.write, F_DUPFD_CLOEXEC, a + 1)
        #expect(a >= 300 && b > a)
        defer { for fd in [first.read, second.read] { close(fd) } }
        let pid = try PosixSpawner().spawn(SpawnRequest(
            executable: "/bin/bash", arguments: ["-c", "echo first >&\(b); echo second >&\(a)"], environment: [],
            workingDirectory: nil, descriptors: [(a, b), (b, a)]))
        var status: Int32 = 0
        #expect(waitpid(pid, &status, 0) == pid && status == 0)
        for fd in [first.write, second.write, a, b] { close(fd) }
        func text(_ fd: Int32) -> String {
            var buffer = [UInt8](repeating: 0, count: 64)
            let n = read(fd, &buffer, buffer.count)
            return String(decoding: buffer.prefix(max(n, 0)), as: UTF8.self)
        }
        #expect(text(first.read) == "first\n")
        #expect(text(second.read) == "second\n")
    }
}
