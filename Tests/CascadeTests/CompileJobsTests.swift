import Foundation
import TestSupport
import Testing
@testable import Cascade

/// Candidate builds run the jobs the drivers plan, without the drivers: the plans are read from
/// `-###` listings (fed here as text), and a build either way yields the same executable.
@Suite struct CompileJobsTests {
    static let temporary = "/tmp/plan/TemporaryDirectory.abc"
    static let compileListing = """
        /opt/swift/usr/bin/swift-frontend -frontend -c candidate.swift harness.swift -I /sim-cascade-planned/api \
        -module-cache-path /sim-cascade-planned/module-cache -O -module-name CandidateProgram -o candidate.o

        """
    static let linkListing = """
        /opt/swift/usr/bin/swift-autolink-extract candidate.o -o \(temporary)/candidate-1.autolink
        /opt/swift/usr/bin/clang -fuse-ld=lld -Xlinker --start-group candidate.o @\(temporary)/candidate-1.autolink \
        -Xlinker --end-group -L /sim-cascade-planned/api -lCandidateHost -o candidate

        """

    @Test func wordsAreSplitAsAShellWould() {
        #expect(CompileJobs.words(#" "/a b/ld" "-L/x" plain 'it''s' "q\"uote" back\ slash "\n" "#)
            == ["/a b/ld", "-L/x", "plain", "its", "q\"uote", "back slash", "\\n"])
        #expect(CompileJobs.words("") == [])
        // swift-driver's quoting of a single quote inside a quoted word.
        #expect(CompileJobs.words(#"'it'\''s' x"#) == ["it's", "x"])
        // What a shell would expand or redirect is not taken apart: no plan is made of it.
        for line in ["a $HOME", "a `x`", "a; b", "a > f", "a *", "a [x]", "~/x", "a {b,c}", "'open", "\"open", "tail\\"] {
            #expect(CompileJobs.words(line) == nil, "\(line)")
        }
    }

    @Test func theDriversPlanBecomesThreeJobs() throws {
        let plan = try #require(CompileJobs.driverPlan(compileListing: Self.compileListing, linkListing: Self.linkListing,
                                                       temporary: "/tmp/plan"))
        #expect(plan.frontend.first == "/opt/swift/usr/bin/swift-frontend" && plan.frontend.suffix(2) == ["-o", "candidate.o"])
        #expect(plan.autolinkExtract == ["/opt/swift/usr/bin/swift-autolink-extract", "candidate.o", "-o", "candidate.autolink"])
        #expect(plan.clangLink.contains("@candidate.autolink"))
        #expect(!plan.clangLink.contains { $0.contains("/tmp/plan") }, "the driver's temporary folder is gone when the plan is used")

        let clang = """
            clang version 21.0.0
            Target: x86_64-unknown-linux-gnu
             "/opt/swift/usr/bin/ld.lld" "-static" "-o" "candidate" "--start-group" "candidate.o" "\(CompileJobs.autolinkMarker)" \
            "--end-group" "-L/sim-cascade-planned/api" "-lCandidateHost"
            """
        let linker = try #require(CompileJobs.linkerJob(clangListing: clang))
        #expect(linker == ["/opt/swift/usr/bin/ld.lld", "-static", "-o", "candidate", "--start-group", "candidate.o",
                           "@candidate.autolink", "--end-group", "-L/sim-cascade-planned/api", "-lCandidateHost"])
        let jobs = CompileJobs(frontend: plan.frontend, autolinkExtract: plan.autolinkExtract, link: linker)
            .substituting(api: "/b/api", moduleCache: "/b/mc")
        #expect(jobs.frontend.contains("/b/api") && jobs.frontend.contains("/b/mc") && jobs.link.contains("-L/b/api"))
    }

    @Test func anUnknownShapeIsNoPlan() {
        let extraJob = Self.compileListing + "/opt/swift/usr/bin/swift-frontend -frontend -merge-modules -o x\n"
        #expect(CompileJobs.driverPlan(compileListing: extraJob, linkListing: Self.linkListing, temporary: "/tmp/plan") == nil)
        let noExtract = Self.linkListing.split(separator: "\n").dropFirst().joined(separator: "\n")
        #expect(CompileJobs.driverPlan(compileListing: Self.compileListing, linkListing: noExtract, temporary: "/tmp/plan") == nil)
        // A job that would read another file of the driver's temporary folder.
        let temporaryInput = Self.compileListing.replacingOccurrences(of: "harness.swift", with: "\(Self.temporary)/h.swift")
        #expect(CompileJobs.driverPlan(compileListing: temporaryInput, linkListing: Self.linkListing, temporary: "/tmp/plan") == nil)
        // A job reading a response file the driver wrote in its temporary folder.
        let responseFile = Self.compileListing.replacingOccurrences(of: "-O ", with: "@\(Self.temporary)/arguments.resp -O ")
        #expect(CompileJobs.driverPlan(compileListing: responseFile, linkListing: Self.linkListing, temporary: "/tmp/plan") == nil)
        // clang planning two jobs, or the marker not once.
        let twoJobs = " \"/usr/bin/as\" \"x.s\"\n \"/usr/bin/ld\" \"candidate.o\" \"\(CompileJobs.autolinkMarker)\" \"-o\" \"candidate\""
        #expect(CompileJobs.linkerJob(clangListing: twoJobs) == nil)
        #expect(CompileJobs.linkerJob(clangListing: " \"/usr/bin/ld\" \"candidate.o\" \"-o\" \"candidate\"") == nil)
    }

    /// The planned jobs build the executable the driver builds, byte for byte: the same
    /// object, the same link, so the same scores.
    @Test func bothPipelinesBuildTheSameExecutable() throws {
        let cache = TestPaths.sessionFolder.appendingPathComponent("compile-jobs-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: cache) }
        let toolchain = try CandidateToolchain.locate(cacheRoot: cache)
        var built: [CompilePipeline: Data] = [:]
        for pipeline in CompilePipeline.allCases {
            var compiler = CandidateCompiler(toolchain: toolchain, cacheRoot: cache.appendingPathComponent(pipeline.rawValue))
            compiler.pipeline = pipeline
            let result = try compiler.compile(source: CandidateProblem.spot.template, problem: .spot)
            guard case .success(let compiled) = result else {
                Issue.record("the spot template did not compile with \(pipeline.rawValue): \(result)")
                return
            }
            #expect(!compiled.cached && compiled.compilerCPUSeconds > 0 && compiled.pipeline == pipeline)
            built[pipeline] = CandidateCompiler.regularFileContents(compiled.executable)
        }
        let plans = try FileManager.default.contentsOfDirectory(atPath: cache.appendingPathComponent("planned-jobs").path)
        #expect(plans.contains { $0.hasPrefix("compile-jobs-") }, "the planned build used a plan")
        let planned = try #require(built[.plannedJobs]), driver = try #require(built[.driver])
        #expect(planned.count > 1 << 20 && planned == driver)
    }

    /// The stamp changes with a named file's modification time, kind or existence, whether the
    /// path stands alone, after `-L` or `@`, or after an option's `=`.
    @Test func theStampSeesTheFilesAPlanNames() throws {
        let folder = try TestPaths.temporaryDirectory()
        let file = folder.appendingPathComponent("crt1.o"), sysroot = folder.appendingPathComponent("root")
        try Data("x".utf8).write(to: file)
        try FileManager.default.createDirectory(at: sysroot, withIntermediateDirectories: true)
        var jobs = CompileJobs(frontend: ["/bin/true", "-frontend", "-c", "-o", "candidate.o"],
                               autolinkExtract: ["/bin/true", "candidate.o", "-o", CompileJobs.autolinkFile],
                               link: ["/bin/true", file.path, "-L\(folder.path)", "--sysroot=\(sysroot.path)", "@candidate.autolink"])
        #expect(jobs.isWellFormed == false, "the frontend is not swift-frontend")
        let stamp = jobs.fileStamp()
        #expect(stamp == jobs.fileStamp())
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSince1970: 1_000_000)], ofItemAtPath: file.path)
        let touched = jobs.fileStamp()
        #expect(touched != stamp)
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSince1970: 1_000_000)], ofItemAtPath: sysroot.path)
        #expect(jobs.fileStamp() != touched, "a path after an option's = is stamped")
        let both = jobs.fileStamp()
        try FileManager.default.removeItem(at: file)
        #expect(jobs.fileStamp() != both)
        jobs.link = []
        #expect(!jobs.isWellFormed)
    }

    /// A plan names host files (the C runtime's objects, library folders): when they change,
    /// as in a compiler upgrade, the plan is made again instead of failing every link.
    @Test func aPlanWhoseFilesChangedIsMadeAgain() throws {
        let cache = TestPaths.sessionFolder.appendingPathComponent("compile-jobs-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: cache) }
        let compiler = CandidateCompiler(toolchain: try CandidateToolchain.locate(cacheRoot: cache), cacheRoot: cache)
        let plan = try #require(compiler.plannedJobs(moduleCache: true))
        let linkerPath = try #require(plan.link.first)
        #expect(plan.stamp == plan.fileStamp() && plan.link.contains("@candidate.autolink"))
        let file = try #require(try FileManager.default.contentsOfDirectory(at: cache, includingPropertiesForKeys: nil)
            .first { $0.lastPathComponent.hasPrefix("compile-jobs-") })
        // As if the linker had moved since: the stored plan names a path that is gone.
        var stale = plan
        stale.link[0] = linkerPath + "-moved"
        try JSONEncoder().encode(stale).write(to: file)
        let again = try #require(compiler.plannedJobs(moduleCache: true))
        #expect(again.link.first == linkerPath && again.stamp == again.fileStamp())
        // The drivers' scratch folder is gone with the planning.
        #expect(try FileManager.default.contentsOfDirectory(atPath: cache.path).allSatisfy { !$0.hasPrefix(CandidateCompiler.buildPrefix) })
    }

    /// A planned link that fails is linked again by the driver, whose answer stands: a plan
    /// gone wrong costs a link, not every candidate's compile. The plan is then made again.
    @Test func aPlannedLinkThatFailsIsLinkedByTheDriver() throws {
        let cache = TestPaths.sessionFolder.appendingPathComponent("compile-jobs-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: cache) }
        let compiler = CandidateCompiler(toolchain: try CandidateToolchain.locate(cacheRoot: cache), cacheRoot: cache)
        for moduleCache in [true, false] {
            var broken = try #require(compiler.plannedJobs(moduleCache: moduleCache))
            broken.link[0] = "/bin/false"  // exits 1, as a linker does on an error
            broken.stamp = broken.fileStamp()
            try JSONEncoder().encode(broken).write(to: compiler.planFiles(moduleCache: moduleCache).plan)
        }
        let source = CandidateProblem.spot.template
        guard case .success(let relinked) = try compiler.compile(source: source + "\n// relinked\n", problem: .spot) else {
            Issue.record("the driver's link did not stand")
            return
        }
        #expect(relinked.pipeline == .driver && FileManager.default.isExecutableFile(atPath: relinked.executable.path))
        guard case .success(let next) = try compiler.compile(source: source + "\n// next\n", problem: .spot) else {
            Issue.record("the next compile failed")
            return
        }
        #expect(next.pipeline == .plannedJobs, "the broken plan was forgotten and made again")
    }

    /// Drivers whose plans were not taken once are not asked again (each asking costs ~0.3 s):
    /// builds go through the driver.
    @Test func aPlanNotTakenIsNotAskedForAgain() throws {
        let cache = TestPaths.sessionFolder.appendingPathComponent("compile-jobs-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: cache) }
        let compiler = CandidateCompiler(toolchain: try CandidateToolchain.locate(cacheRoot: cache), cacheRoot: cache)
        try FileManager.default.createDirectory(at: cache, withIntermediateDirectories: true)
        for moduleCache in [true, false] {
            #expect(FileManager.default.createFile(atPath: compiler.planFiles(moduleCache: moduleCache).unplanned.path, contents: Data()))
        }
        #expect(compiler.plannedJobs(moduleCache: true) == nil && compiler.plannedJobs(moduleCache: false) == nil)
        guard case .success(let built) = try compiler.compile(source: CandidateProblem.spot.template, problem: .spot) else {
            Issue.record("the driver's build failed")
            return
        }
        #expect(built.pipeline == .driver)
        #expect(try FileManager.default.contentsOfDirectory(atPath: cache.path).allSatisfy { !$0.hasSuffix(".json") })
    }
}
