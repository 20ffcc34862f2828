import Foundation
import SimCore
#if canImport(Glibc)
import Glibc
#endif

/// A candidate executable ready to run.
public struct CompiledCandidate: Sendable {
    public var executable: URL
    /// Whether it came from the cache (nothing was compiled).
    public var cached: Bool
    /// Wall time spent in this call (compile, or cache lookup), measured by the parent.
    public var seconds: Double
    /// User + system seconds of the compiler's processes (0 for a cache hit).
    public var compilerCPUSeconds: Double = 0
    /// How it was built (`nil` for a cache hit): `driver` where planned jobs were asked for
    /// but no plan could be made, or the planned link failed and the driver's was run.
    public var pipeline: CompilePipeline?
}

/// Compiles candidate sources with swiftc `-O` into static executables, cached by content.
///
/// A cache entry is a folder named by the FNV-1a hash of (problem, source, API fingerprint, flags);
/// it keeps that key material and is used only if the material matches exactly, so a hash
/// collision costs a recompile, never a wrong binary.
public struct CandidateCompiler: Sendable {
    public var toolchain: CandidateToolchain
    public var cacheRoot: URL
    /// Wall-clock limit of one swiftc run.
    public var timeoutSeconds: Double
    /// The cache's size cap (least recently used executables are evicted past it).
    public var trim: CompileCacheTrim
    /// Largest file one compile may write (RLIMIT_FSIZE of the compiler): a source can ask for
    /// an executable of any size.
    public var outputLimitBytes: Int = 512 << 20
    /// How builds run (the same executable either way; `bench` times both): planned jobs
    /// unless `$SIM_CASCADE_COMPILE_PIPELINE` is `driver`.
    public var pipeline: CompilePipeline =
        ProcessInfo.processInfo.environment["SIM_CASCADE_COMPILE_PIPELINE"].flatMap(CompilePipeline.init(rawValue:)) ?? .plannedJobs

    public init(toolchain: CandidateToolchain, cacheRoot: URL, timeoutSeconds: Double = 120,
                trim: CompileCacheTrim = CompileCacheTrim()) {
        self.toolchain = toolchain
        self.cacheRoot = cacheRoot
        self.timeoutSeconds = timeoutSeconds
        self.trim = trim
    }

    /// The default cache folder: `$SIM_CASCADE_CACHE`, else `$XDG_CACHE_HOME/sim-cascade`, else
    /// `~/.cache/sim-cascade`.
    public static var defaultCacheRoot: URL {
        let environment = ProcessInfo.processInfo.environment
        if let explicit = environment["SIM_CASCADE_CACHE"], !explicit.isEmpty {
            return URL(fileURLWithPath: explicit, isDirectory: true)
        }
        if let xdg = environment["XDG_CACHE_HOME"], !xdg.isEmpty {
            return URL(fileURLWithPath: xdg, isDirectory: true).appendingPathComponent("sim-cascade")
        }
        return FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/sim-cascade")
    }

    /// Compiles `source` for `problem`, or returns the cached executable.
    ///
    /// - Returns: the executable, or a `compile_error` failure with swiftc's diagnostics.
    /// - Throws: `CascadeError` when the machine, not the candidate, is at fault.
    public func compile(source: String, problem: CandidateProblem) throws -> Result<CompiledCandidate, CandidateFailure> {
        try compileNotingTheCache(source: source, problem: problem).result
    }

    /// `compile`, and whether its answer came from the cache — a failure too (a source that
    /// failed before with the same toolchain is not compiled again).
    public func compileNotingTheCache(source: String, problem: CandidateProblem) throws
        -> (result: Result<CompiledCandidate, CandidateFailure>, cached: Bool) {
        let start = Date()
        let material = keyMaterial(source: source, problem: problem)
        let hash = Self.hash(material)
        let fm = FileManager.default
        let candidates = cacheRoot.appendingPathComponent("candidates", isDirectory: true)
        StaleSandboxes.removeStaleBuildFolders(in: cacheRoot)

        // One compile per key at a time, machine-wide: a second compile of the same source
        // waits here and then finds the first one's executable in the cache.
        do {
            try fm.createDirectory(at: candidates, withIntermediateDirectories: true)
        } catch {
            throw CascadeError.system("cannot prepare the compile cache \(candidates.path): \(error.localizedDescription)")
        }
        let keyLock: FileLock
        do {
            keyLock = try FileLock(candidates.appendingPathComponent("\(hash.hex)\(CompileCacheTrim.lockSuffix)").path, create: true)
        } catch let refusal as FileLock.Refusal {
            throw refusal.cascadeError
        }
        defer { keyLock.release() }

        // Probe the hash's slots: a slot whose key differs is a collision (or still being
        // written by another process); look at the next one.
        for slot in 0..<16 {
            let entry = candidates.appendingPathComponent("\(hash.hex)-\(slot)", isDirectory: true)
            guard let stored = try? String(contentsOf: entry.appendingPathComponent("key"), encoding: .utf8) else {
                if !fm.fileExists(atPath: entry.path) { break }
                continue
            }
            let executable = entry.appendingPathComponent("candidate")
            if stored == material && fm.isExecutableFile(atPath: executable.path) {
                CompileCacheTrim.touch(entry)
                return (.success(CompiledCandidate(executable: executable, cached: true, seconds: Date().timeIntervalSince(start))), true)
            }
            // The same source failed before with the same toolchain: it fails again, for free.
            if stored == material, let diagnostics = try? String(contentsOf: entry.appendingPathComponent(Self.failureFile), encoding: .utf8) {
                CompileCacheTrim.touch(entry)
                return (.failure(CandidateFailure(.compileError, diagnostics)), true)
            }
        }

        // As root, the compiler runs as a uid of its own in a folder of that uid (see
        // `CompileUser`); else in a build folder in the cache.
        let user = CompileUser.isPossible(toolchain: toolchain, cacheRoot: cacheRoot) ? CompileUser.uid : nil
        let folder: BuildFolder
        var api = toolchain.apiDirectory.path
        do {
            if let user {
                folder = try BuildFolder.make(uid: user)
                // The API, readable by the compile uid (a link where the cache shares the file
                // system, else a copy: 1.7 MB).
                let copy = folder.url.appendingPathComponent("api")
                try fm.createDirectory(at: copy, withIntermediateDirectories: false)
                for name in CandidateToolchain.apiFiles {
                    let from = toolchain.apiDirectory.appendingPathComponent(name), to = copy.appendingPathComponent(name)
                    do { try fm.linkItem(at: from, to: to) } catch { try fm.copyItem(at: from, to: to) }
                }
                api = copy.path
            } else {
                let url = newBuildFolder()
                try fm.createDirectory(at: url, withIntermediateDirectories: true)
                folder = BuildFolder(url: url, uid: 0)
            }
        } catch let error as CascadeError {
            throw error
        } catch {
            throw CascadeError.system("cannot prepare a build folder: \(error.localizedDescription)")
        }
        let work = folder.url
        defer { folder.remove() }
        do {
            try folder.write(source, to: "candidate.swift")
            try folder.write(problem.harness, to: "harness.swift")
        } catch {
            throw CascadeError.system("cannot write to the build folder \(work.path): \(error.localizedDescription)")
        }
        // A module cache that outlives the compile (not part of the cache key: it holds only
        // the system modules, rebuilt when they change).
        let moduleCache = user == nil ? cacheRoot.appendingPathComponent("module-cache") : CompileUser.moduleCache()
        // Compile, check what the object asks of the linker, link, check the executable: the
        // source controls sections the link reads as arguments (see `CandidateObjectCheck`).
        let (steps, planned) = buildSteps(api: api, moduleCache: moduleCache?.path)
        let environment = Self.compileEnvironment(swiftc: toolchain.swiftc, work: work)
        var compilerCPU = 0.0
        /// Runs one step; `nil` when its output passed the check, else the failure, whether the
        /// source decided it (and so may be kept for a repeat), and whether the check refused the
        /// output (rather than the tool failing).
        func run(_ step: BuildStep) throws -> (failure: CandidateFailure, sourceDecides: Bool, refused: Bool)? {
            // Candidate source is untrusted at compile time too (the type checker can be made to
            // explode, the executable made huge): the compiler runs contained, with a wall-clock
            // limit, 4 GiB per process, a cap on the files it writes, and a minimal environment
            // (no API keys or settings of this process reach it).
            let command = ToolRunner.contained(step.tool, step.arguments, addressSpaceBytes: 4 << 30,
                                               fileSizeBytes: outputLimitBytes, uid: user)
            let run = try ToolRunner.run(command, in: work.path, environment: environment, timeoutSeconds: timeoutSeconds)
            compilerCPU += run.cpuSeconds
            if run.timedOut {
                return (CandidateFailure(.compileError, "the compiler did not finish within \(Int(timeoutSeconds)) s"), false, false)
            }
            var refusal: String?
            if run.status == 0 {
                // Read once, by root, from the compile uid's folder: a link of its own is no
                // regular file and is refused.
                let data = Self.regularFileContents(work.appendingPathComponent(step.output))
                refusal = data.map(step.check) ?? "the compiler wrote no \(step.output)"
            }
            guard run.status == 0, refusal == nil else {
                // Kept for a repeat only when the source decides it: a refusal, or the compiler's
                // own error exit. A timeout, a compiler killed by a signal (the OOM killer, an
                // operator) or a failure of the containment tools is the machine's moment.
                let diagnostics = refusal.map { "error: \($0)" } ?? Self.diagnostics(run.output)
                return (CandidateFailure(.compileError, diagnostics),
                        refusal != nil || Self.isSourceError(status: run.status, output: run.output), refusal != nil)
            }
            return nil
        }
        var pipelineUsed: CompilePipeline = planned ? .plannedJobs : .driver
        for (index, step) in steps.enumerated() {
            guard var failed = try run(step) else { continue }
            // A planned link that the linker failed may be the plan's fault (host files it names
            // changed in a way its stamp does not see): the driver links once more, and its
            // answer stands. The object was checked already; only the link is repeated.
            if planned, index == steps.count - 1, failed.sourceDecides, !failed.refused {
                let link = driverArguments(api: api, moduleCache: moduleCache?.path).link
                pipelineUsed = .driver
                guard let again = try run((toolchain.swiftc.path, link, "candidate", CandidateObjectCheck.executableRefusal)) else {
                    forgetPlan(moduleCache: moduleCache != nil)
                    continue
                }
                failed = again
            }
            if failed.sourceDecides { storeFailure(failed.failure.message, material: material, hash: hash.hex, in: candidates) }
            return (.failure(failed.failure), false)
        }
        // Claim a free slot atomically (mkdir succeeds for one process only), then publish the
        // executable before the key: a key on disk always names a complete executable.
        for slot in 0..<16 {
            let entry = candidates.appendingPathComponent("\(hash.hex)-\(slot)", isDirectory: true)
            guard mkdir(entry.path, 0o755) == 0 else { continue }
            let executable = entry.appendingPathComponent("candidate")
            let built = work.appendingPathComponent("candidate")
            // Root's from here on (the compile uid's processes are all gone with their namespace),
            // and, for root, execute-only: sandboxes run it by a hard link (see `SandboxRoot`).
            guard chown(built.path, geteuid(), getegid()) == 0, chmod(built.path, geteuid() == 0 ? 0o111 : 0o755) == 0,
                  rename(built.path, executable.path) == 0 || (try? fm.copyItem(at: built, to: executable)) != nil else { break }
            let keyTemp = entry.appendingPathComponent("key.tmp")
            if (try? Data(material.utf8).write(to: keyTemp)) != nil {
                _ = rename(keyTemp.path, entry.appendingPathComponent("key").path)
            }
            trim.trim(candidates)
            return (.success(CompiledCandidate(executable: executable, cached: false, seconds: Date().timeIntervalSince(start),
                                              compilerCPUSeconds: compilerCPU, pipeline: pipelineUsed)), false)
        }
        throw CascadeError.system("cannot store the compiled candidate in \(candidates.path)")
    }

    /// One step of a build: the tool and its arguments, the file it writes, and the check that
    /// file must pass before the next step.
    typealias BuildStep = (tool: String, arguments: [String], output: String, check: (Data) -> String?)

    /// The steps of a build in the build folder, with the API at `api`, and whether they are
    /// planned jobs (else the driver's).
    func buildSteps(api: String, moduleCache: String?) -> (steps: [BuildStep], planned: Bool) {
        if pipeline == .plannedJobs, let jobs = plannedJobs(moduleCache: moduleCache != nil) {
            let filled = jobs.substituting(api: api, moduleCache: moduleCache)
            // The autolink extraction and the link share a contained run (each costs ~0.01 CPU-s):
            // both read only the object, checked before, and no process of the compile outlives
            // its run to change it in between. The extraction is always four words (`isWellFormed`).
            return ([
                (filled.frontend[0], Array(filled.frontend.dropFirst()), "candidate.o", CandidateObjectCheck.objectRefusal),
                ("/bin/sh", ["-c", #""$1" "$2" "$3" "$4" && shift 4 && exec "$@""#, "sim-cascade-link"]
                    + filled.autolinkExtract + filled.link, "candidate", CandidateObjectCheck.executableRefusal),
            ], true)
        }
        let (compile, link) = driverArguments(api: api, moduleCache: moduleCache)
        return ([
            (toolchain.swiftc.path, compile, "candidate.o", CandidateObjectCheck.objectRefusal),
            (toolchain.swiftc.path, link, "candidate", CandidateObjectCheck.executableRefusal),
        ], false)
    }

    /// swiftc's arguments to compile `candidate.swift` and `harness.swift` into `candidate.o`,
    /// and to link that into `candidate`.
    func driverArguments(api: String, moduleCache: String?) -> (compile: [String], link: [String]) {
        let cache = moduleCache.map { ["-module-cache-path", $0] } ?? []
        let compile = toolchain.flags + [
            // A debug-built API library uses the standard library's prespecialisations.
            // Only the API's module is on the import path: the host library (`main`, the wire
            // codec, the query loop) is linked, never importable.
            "-c", "-I", api, "-module-name", "CandidateProgram", "candidate.swift", "harness.swift", "-o", "candidate.o",
        ] + cache
        let link = toolchain.flags + toolchain.linkFlags + [
            "-L", api, "-lCandidateHost", "-lCandidateAPI", "-lswiftSwiftOnoneSupport", "candidate.o", "-o", "candidate",
        ] + cache
        return (compile, link)
    }

    /// Where the plan for this toolchain and flags is kept: `compile-jobs-HASH.json`, and
    /// `compile-jobs-HASH.unplanned` when the drivers' plans could not be taken (so that no
    /// build asks again, ~0.3 s each time, until the toolchain or flags change).
    func planFiles(moduleCache: Bool) -> (plan: URL, unplanned: URL, compile: [String], link: [String]) {
        let (compile, link) = driverArguments(api: CompileJobs.apiPlaceholder,
                                              moduleCache: moduleCache ? CompileJobs.moduleCachePlaceholder : nil)
        var key = FNV1a()
        // v1: the format of `CompileJobs`.
        for part in ["compile-jobs v1", toolchain.swiftc.path, toolchain.fingerprint] + compile + ["|"] + link {
            key.combine(Data(part.utf8))
        }
        return (cacheRoot.appendingPathComponent("compile-jobs-\(key.hex).json"),
                cacheRoot.appendingPathComponent("compile-jobs-\(key.hex).unplanned"), compile, link)
    }

    /// Removes the plan: a link it made failed where the driver's succeeded.
    func forgetPlan(moduleCache: Bool) {
        try? FileManager.default.removeItem(at: planFiles(moduleCache: moduleCache).plan)
    }

    /// The build's jobs for this toolchain and flags, with or without a module cache: read from
    /// the plan file (`planFiles`) while the host files it names are unchanged, else asked of
    /// swiftc's driver and of clang (`-###`, which runs nothing) and stored there. `nil` when
    /// either plans a shape `CompileJobs` does not take, or cannot be asked.
    /// - Complexity: one file read and a `stat` per host path the plan names; the first time,
    ///   three driver starts (~0.1 s each).
    func plannedJobs(moduleCache: Bool) -> CompileJobs? {
        let (file, unplanned, compile, link) = planFiles(moduleCache: moduleCache)
        let fm = FileManager.default
        if let data = try? Data(contentsOf: file), let jobs = try? JSONDecoder().decode(CompileJobs.self, from: data),
           jobs.isWellFormed, jobs.stamp == jobs.fileStamp() {
            return jobs
        }
        if fm.fileExists(atPath: unplanned.path) { return nil }
        // The driver leaves `TemporaryDirectory.*` folders in $TMPDIR even for `-###`: a scratch
        // folder of its own, removed after (or, if this process dies first, by a later compile:
        // it is named as a build folder).
        let scratch = newBuildFolder()
        guard (try? fm.createDirectory(at: scratch, withIntermediateDirectories: true)) != nil else { return nil }
        defer { try? fm.removeItem(at: scratch) }
        let environment = Self.compileEnvironment(swiftc: toolchain.swiftc, work: scratch)
        let run = { (tool: String, arguments: [String]) -> String? in
            guard let outcome = try? ToolRunner.run(tool, arguments: arguments, in: scratch.path, environment: environment,
                                                    timeoutSeconds: 60), outcome.status == 0 else { return nil }
            return outcome.output
        }
        let markerFile = scratch.appendingPathComponent("autolink-marker")
        // A driver that could not be asked (a timeout on a loaded machine) is asked again by a
        // later build; a plan it gave that is not taken is remembered as such.
        guard let compiled = run(toolchain.swiftc.path, compile + ["-###"]), let linked = run(toolchain.swiftc.path, link + ["-###"]),
              (try? Data((CompileJobs.autolinkMarker + "\n").utf8).write(to: markerFile)) != nil,
              // clang's `-###` wants its inputs to exist (it does not read them).
              (try? Data().write(to: scratch.appendingPathComponent("candidate.o"))) != nil
        else { return nil }
        guard let driver = CompileJobs.driverPlan(compileListing: compiled, linkListing: linked, temporary: scratch.path) else {
            Self.publish(Data(), at: unplanned)
            return nil
        }
        guard let clangListing = run(driver.clangLink[0], driver.clangLink.dropFirst().map {
            $0 == "@" + CompileJobs.autolinkFile ? "@" + markerFile.path : $0
        } + ["-###"]) else { return nil }
        guard let linker = CompileJobs.linkerJob(clangListing: clangListing), !linker.contains(where: { $0.contains(scratch.path) }) else {
            Self.publish(Data(), at: unplanned)
            return nil
        }
        var jobs = CompileJobs(frontend: driver.frontend, autolinkExtract: driver.autolinkExtract, link: linker)
        jobs.stamp = jobs.fileStamp()
        if let data = try? JSONEncoder().encode(jobs) { Self.publish(data, at: file) }
        return jobs
    }

    /// Writes `data` to `file` whole or not at all (a temporary file beside it, renamed): a
    /// reader in another process never sees half of it. Best effort.
    static func publish(_ data: Data, at file: URL) {
        let temporary = file.deletingLastPathComponent().appendingPathComponent("\(file.lastPathComponent).\(UUID().uuidString)")
        if (try? data.write(to: temporary)) == nil || rename(temporary.path, file.path) != 0 {
            try? FileManager.default.removeItem(at: temporary)
        }
    }

    /// A new build folder's path in the cache, named for this process (see `buildPrefix`).
    func newBuildFolder() -> URL {
        cacheRoot.appendingPathComponent("\(Self.buildPrefix)\(StaleSandboxes.owner)-\(UUID().uuidString)", isDirectory: true)
    }

    /// Whether a failed compiler run (the driver, the frontend or the linker) failed because of
    /// the source: exit status 1 (their error exit), with no compiler process killed by a signal
    /// ("failed due to signal") and no message of the containment tools that wrap it.
    static func isSourceError(status: Int32, output: String) -> Bool {
        status == 1 && !output.contains("due to signal")
            && !output.contains("sim-cascade-sandbox:")
    }

    /// The bytes of `url` if it is a regular file (not followed if a link), at most 1 GiB.
    static func regularFileContents(_ url: URL) -> Data? {
        var info = stat()
        guard lstat(url.path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, info.st_size <= 1 << 30 else { return nil }
        return try? Data(contentsOf: url, options: .alwaysMapped)
    }

    /// The file of a cache entry holding the diagnostics of a source that did not compile.
    static let failureFile = "compile-error"

    /// Records a failed compile under its key: the diagnostics first, then the key, so a key on
    /// disk always names a complete entry. Best effort: a failure not stored is compiled again.
    func storeFailure(_ diagnostics: String, material: String, hash: String, in candidates: URL) {
        for slot in 0..<16 {
            let entry = candidates.appendingPathComponent("\(hash)-\(slot)", isDirectory: true)
            guard mkdir(entry.path, 0o755) == 0 else { continue }
            let keyTemp = entry.appendingPathComponent("key.tmp")
            guard (try? Data(diagnostics.utf8).write(to: entry.appendingPathComponent(Self.failureFile))) != nil,
                  (try? Data(material.utf8).write(to: keyTemp)) != nil else { return }
            _ = rename(keyTemp.path, entry.appendingPathComponent("key").path)
            trim.trim(candidates)
            return
        }
    }

    /// Build folders in the cache (where the compiler runs as this process's uid):
    /// `build-<pid>.<start time>-<uuid>`, removed by a later compile once that process is gone.
    static let buildPrefix = "build-"

    /// The compiler's whole environment: its tools' folders on the PATH, and the build folder
    /// as home and temporary directory.
    static func compileEnvironment(swiftc: URL, work: URL) -> [String] {
        ["PATH=\(swiftc.deletingLastPathComponent().path):/usr/local/bin:/usr/bin:/bin", "HOME=\(work.path)",
         "TMPDIR=\(work.path)", "LANG=C.UTF-8"]
    }

    /// The cache key's hash of `source` for `problem`, as hex: what `eval --json` reports as
    /// `build_id`. O(source length); nothing is compiled or read.
    public func buildID(source: String, problem: CandidateProblem) -> String {
        Self.hash(keyMaterial(source: source, problem: problem)).hex
    }

    static func hash(_ material: String) -> FNV1a {
        var hash = FNV1a()
        hash.combine(Data(material.utf8))
        return hash
    }

    func keyMaterial(source: String, problem: CandidateProblem) -> String {
        // v2: compiled, checked, then linked (see `CandidateObjectCheck`); no v1 executable is reused.
        "sim-cascade candidate v2\nproblem: \(problem.rawValue)\napi: \(toolchain.fingerprint)\n"
            + "flags: \(toolchain.flags.joined(separator: " ")) \(toolchain.linkFlags.joined(separator: " "))\nharness:\n\(problem.harness)\nsource:\n\(source)"
    }

    /// swiftc's diagnostics as `file:line:col: error: message` lines, with the build folder's
    /// paths reduced to file names (the generated harness is `harness.swift`). Falls back to the
    /// output's last lines when there is no such line (e.g. a link error).
    static func diagnostics(_ output: String) -> String {
        let lines = output.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        let located = lines.filter { $0.range(of: #"^\S+:\d+:\d+: error: "#, options: .regularExpression) != nil }
        let chosen = located.isEmpty ? Array(lines.filter { $0.contains("error") }.suffix(10)) : Array(located.prefix(20))
        return (chosen.isEmpty ? Array(lines.suffix(5)) : chosen).map { line in
            // Anywhere in the line: the linker's lines start with its own name.
            line.replacingOccurrences(of: #"[^\s:'"(]*/(build|sim-cascade-compile)-[0-9A-F.-]+/"#, with: "", options: .regularExpression)
        }.joined(separator: "\n")
    }
}
