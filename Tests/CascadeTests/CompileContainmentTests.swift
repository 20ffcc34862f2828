import Foundation
import TestSupport
import Testing
@testable import Cascade

/// The compiler's containment: nothing of this process's environment, its own PID namespace,
/// limits on memory and written files, and, as root, a uid of its own.
@Suite struct CompileContainmentTests {
    @Test func theCompilerSeesAMinimalEnvironment() {
        let environment = CandidateCompiler.compileEnvironment(swiftc: URL(fileURLWithPath: "/opt/swift/usr/bin/swiftc"),
                                                               work: URL(fileURLWithPath: "/tmp/w"))
        #expect(environment.map { String($0.prefix { $0 != "=" }) }.sorted() == ["HOME", "LANG", "PATH", "TMPDIR"])
        #expect(environment.contains("PATH=/opt/swift/usr/bin:/usr/local/bin:/usr/bin:/bin"))
    }

    @Test func theCompilerRunsContainedAndAsItsOwnUidWhenRoot() throws {
        let command = ToolRunner.contained("/x/swiftc", ["a.swift"], addressSpaceBytes: 1 << 30, fileSizeBytes: 1 << 20,
                                           uid: 1_900_123)
        guard geteuid() == 0 else {
            #expect(command.tool == "/x/swiftc" && command.arguments == ["a.swift"] && !command.lifeline)
            return
        }
        #expect(command.tool.hasSuffix("/sim-cascade-sandbox") && command.lifeline)
        #expect(command.arguments == ["tool", "1900123", "1073741824", "1048576", "/x/swiftc", "a.swift"])
        #expect(CompileUser.range.lowerBound > SandboxIdentity.defaultRange.upperBound)
    }

    /// The launcher puts every signal back to its default before anything else: the Swift
    /// runtime linked into it installs crash handlers before `main` when it finds a backtrace
    /// helper (here named by `SWIFT_BACKTRACE`), and a namespace's PID 1 with a handler would run
    /// it on a signal from inside. Without the reset this reads `SigCgt: …04fc`.
    @Test(.enabled(if: geteuid() == 0, "the launcher contains tools only when run as root"))
    func theNamespacesInitCatchesNoSignal() throws {
        let command = ToolRunner.contained("/bin/grep", ["SigCgt", "/proc/1/status"], addressSpaceBytes: 1 << 30,
                                           fileSizeBytes: 1 << 20)
        #expect(command.lifeline, "run through sim-cascade-sandbox")
        let outcome = try ToolRunner.run(command, environment: ["PATH=/usr/bin:/bin", "SWIFT_BACKTRACE=enable=yes,swift-backtrace=/bin/true"],
                                         timeoutSeconds: 30)
        #expect(outcome.status == 0 && outcome.output.contains("SigCgt:\t0000000000000000"), "\(outcome.output)")
    }

    @Test func buildFolderPathsAreCutFromDiagnostics() {
        let text = "/tmp/sim-cascade-compile-12.34-AB-CD/candidate.swift:3:1: error: nope\n/x/build-0A1B/main.swift:1:1: error: bad"
        #expect(CandidateCompiler.diagnostics(text) == "candidate.swift:3:1: error: nope\nmain.swift:1:1: error: bad")
        // The linker names the build folder after its own name: cut there too (it held the pid).
        let link = "/usr/bin/ld.gold: error: /tmp/sim-cascade-compile-4827.2142610-0BC6-919A/TemporaryDirectory.x/candidate-1.o: "
            + "multiple definition of 'sim_cascade_candidate_driver'"
        #expect(!CandidateCompiler.diagnostics(link).contains("sim-cascade-compile-"))
    }
}

/// What a compile killed midway leaves in the cache is removed by the next compile, by owner.
@Suite struct StaleBuildFolderTests {
    @Test func buildFoldersOfGoneProcessesAreRemovedAndLiveOnesKept() throws {
        let cache = TestPaths.sessionFolder.appendingPathComponent("sim-cascade-cache-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: cache) }
        let live = "build-\(StaleSandboxes.owner)-\(UUID().uuidString)"
        // pid 1 runs, but it did not start at that time; the second is a name from before owners.
        let gone = ["build-1.18446744073709551614-\(UUID().uuidString)", "build-\(UUID().uuidString)"]
        for name in [live] + gone + ["candidates"] {
            try FileManager.default.createDirectory(at: cache.appendingPathComponent(name).appendingPathComponent("x"),
                                                    withIntermediateDirectories: true)
        }
        StaleSandboxes.removeStaleBuildFolders(in: cache)
        #expect(try FileManager.default.contentsOfDirectory(atPath: cache.path).sorted() == ["candidates", live].sorted())
    }
}
