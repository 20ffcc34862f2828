import Foundation
import SimCore
import TestSupport
import Testing
@testable import Cascade

/// Sandbox uids: a site's range when it names a valid one, never uid 0; process liveness.
@Suite struct SandboxIdentityTests {
    @Test func aNamedRangeIsUsedAndABadOneIgnored() {
        #expect(SandboxIdentity.range(["SIM_CASCADE_SANDBOX_UIDS": "2000000-2000999"]) == 2_000_000 ... 2_000_999)
        for bad in ["0-10", "10-5", "x-9", "7", ""] {
            #expect(SandboxIdentity.range(["SIM_CASCADE_SANDBOX_UIDS": bad]) == nil, "\(bad)")
        }
        for _ in 0..<100 {
            let uid = SandboxIdentity.random(environment: ["SIM_CASCADE_SANDBOX_UIDS": "5-6"]).uid
            #expect(uid == 5 || uid == 6)
            #expect(SandboxIdentity.defaultRange.contains(SandboxIdentity.random(environment: [:]).uid))
        }
    }

    @Test func aZombieStatusWithARunningThreadIsParsedAsZombieButThisProcessIsLive() {
        let status = "Name:\tx\nState:\tZ (zombie)\nUid:\t1000001\t1000001\t1000001\t1000001\n"
        #expect(ProcessTable.parseStatus(status).zombie)
        #expect(ProcessTable.parseStatus(status).uid == 1_000_001)
        #expect(ProcessTable.isLive(getpid(), ownedBy: geteuid()))
        #expect(ProcessTable.startTime(getpid()) != nil)
        #expect(StaleSandboxes.isRunning(owner: Substring(StaleSandboxes.owner)))
        #expect(StaleSandboxes.isStale("sim-cascade-sandbox-999999999.1-ABC"))
        #expect(!StaleSandboxes.isStale("sim-cascade-sandbox-\(StaleSandboxes.owner)-ABC"))
    }
}

/// Sandboxes of one executable never run at once (they would share its inode).
@Suite struct FileLockTests {
    @Test func aSecondHolderWaitsUntilTheFirstReleases() throws {
        let file = TestPaths.sessionFolder.appendingPathComponent("lock-\(UUID().uuidString)")
        try Data("x".utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let held = try FileLock(file.path)
        let other = open(file.path, O_RDONLY | O_CLOEXEC)
        defer { close(other) }
        #expect(flock(other, LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK)
        held.release()
        #expect(flock(other, LOCK_EX | LOCK_NB) == 0)
    }
}

/// A sandbox uid is never held by two sandboxes at once: leases by `flock`, released for reuse.
@Suite struct SandboxIdentityLeaseTests {
    @Test func twoLeasesOfARangeNeverShareAUidAndAFullRangeIsRefused() throws {
        let folder = try TestPaths.temporaryDirectory().appendingPathComponent("leases")
        let environment = ["SIM_CASCADE_SANDBOX_UIDS": "7-8"]
        let first = try SandboxIdentity.lease(environment: environment, leases: folder)
        let second = try SandboxIdentity.lease(environment: environment, leases: folder)
        #expect(Set([first.identity.uid, second.identity.uid]) == [7, 8])
        #expect(throws: CascadeError.self) { try SandboxIdentity.lease(environment: environment, leases: folder) }
        first.release()
        let third = try SandboxIdentity.lease(environment: environment, leases: folder)
        #expect(third.identity.uid == first.identity.uid)
        second.release()
        third.release()
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty, "a released lease left its file")
    }

    @Test func aLeaseFolderThatIsNotPrivateIsRefused() throws {
        let folder = try TestPaths.temporaryDirectory().appendingPathComponent("open")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: false)
        chmod(folder.path, 0o777)
        #expect(throws: CascadeError.self) {
            try SandboxIdentity.lease(environment: ["SIM_CASCADE_SANDBOX_UIDS": "7-8"], leases: folder)
        }
    }
}

/// What a candidate's object may ask of the linker: libraries by name, nothing else.
@Suite struct CandidateObjectCheckTests {
    @Test func onlyLibraryNamesPass() {
        for ok in ["-lswiftCore", "-lswift_Concurrency", "-lstdc++", "-lm", "-lFoundation.x-1"] {
            #expect(CandidateObjectCheck.isLibraryName(ok), "\(ok)")
        }
        for bad in ["-l", "-l:/etc/passwd", "-l../x", "-l/etc/passwd", "-Wl,-Map=/x", "--ld-path=/usr/bin/id", "-lx y",
                    "-l-x", "-L/tmp", "/etc/passwd", ""] {
            #expect(!CandidateObjectCheck.isLibraryName(bad), "\(bad)")
        }
    }

    @Test func whatIsNotAnELFObjectOrExecutableIsRefused() {
        #expect(CandidateObjectCheck.objectRefusal(Data("not an object".utf8)) != nil)
        #expect(CandidateObjectCheck.executableRefusal(Data(repeating: 0, count: 100)) != nil)
        // An ELF64 header whose section table lies past the end.
        var header = Data([0x7F, 0x45, 0x4C, 0x46, 2, 1, 1, 0] + [UInt8](repeating: 0, count: 56))
        header[16] = 1  // ET_REL
        header[40] = 0xFF
        header[58] = 64
        header[60] = 3
        header[62] = 1
        #expect(CandidateObjectCheck.objectRefusal(header) == "the object's section table is unreadable")
    }
}

/// Only failures the source decides are cached: not a compiler killed from outside.
@Suite struct CompileFailureCachingTests {
    @Test func aSignalOrAContainmentToolsFailureIsNotTheSources() {
        #expect(CandidateCompiler.isSourceError(status: 1, output: "candidate.swift:3:5: error: cannot find 'x' in scope"))
        #expect(!CandidateCompiler.isSourceError(status: 1, output: "error: compile command failed due to signal 9 (use -v to see invocation)"))
        #expect(!CandidateCompiler.isSourceError(status: 1, output: "sim-cascade-sandbox: take the tool's uid: Operation not permitted"))
        #expect(!CandidateCompiler.isSourceError(status: 137, output: ""))
    }
}
