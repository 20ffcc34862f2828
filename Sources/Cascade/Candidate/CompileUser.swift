import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Whether, and as whom, the compiler runs unprivileged: as root, `sim-cascade` runs swiftc
/// under a uid of its own (`uid`, never a sandbox's) with no supplementary groups and
/// no-new-privileges, in a build folder of that uid under the temporary directory, so that a
/// hostile source that found a way to run code at compile time could not act as root.
///
/// Possible when this process is root, `sim-cascade-sandbox` is installed and the toolchain compiles
/// for another uid (the toolchain folders must be readable by all): checked once per
/// toolchain with a one-line program, and remembered in the cache (`compile-user-<fingerprint>`).
public enum CompileUser {
    /// Compile uids: just above the sandboxes' default range.
    static let range: ClosedRange<uid_t> = 1_900_000 ... 1_999_999

    /// The uid every compile runs as: one, so that compiles share a clang module cache (without
    /// it each compile rebuilds the system modules, a quarter of its CPU time). Compiles run no
    /// code of the source and each has a PID namespace of its own.
    static let uid: uid_t = range.lowerBound

    private static let verdicts = Mutex<[String: Bool]>([:])

    /// The compile uid's clang module cache, `sim-cascade-module-cache-<uid>` in the temporary
    /// directory (the cache folder may be in root's home, which the uid cannot enter): made
    /// 0700 and owned by the uid; `nil` if the path exists as anything else.
    static func moduleCache() -> URL? {
        let url = StaleSandboxes.folder.appendingPathComponent("sim-cascade-module-cache-\(uid)")
        if mkdir(url.path, 0o700) == 0 { chown(url.path, uid, uid) }
        var info = stat()
        guard lstat(url.path, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR, info.st_uid == uid,
              info.st_mode & 0o077 == 0 else { return nil }
        return url
    }

    /// Whether `toolchain` can compile unprivileged here (memoized per process, and on disk in
    /// `cacheRoot`).
    /// - Complexity: one small compile, the first time for a toolchain and cache.
    static func isPossible(toolchain: CandidateToolchain, cacheRoot: URL) -> Bool {
        guard geteuid() == 0, (try? Sandbox.launcher()) != nil else { return false }
        let key = toolchain.swiftc.path + "\u{0}" + toolchain.fingerprint
        if let known = verdicts.withLock({ $0[key] }) { return known }
        let remembered = cacheRoot.appendingPathComponent("compile-user-\(toolchain.fingerprint)")
        let verdict: Bool
        if let text = try? String(contentsOf: remembered, encoding: .utf8), ["yes", "no"].contains(text) {
            verdict = text == "yes"
        } else {
            verdict = probe(toolchain)
            try? FileManager.default.createDirectory(at: cacheRoot, withIntermediateDirectories: true)
            try? Data((verdict ? "yes" : "no").utf8).write(to: remembered)
        }
        verdicts.withLock { $0[key] = verdict }
        return verdict
    }

    /// Compiles a one-line static program as a compile uid.
    private static func probe(_ toolchain: CandidateToolchain) -> Bool {
        guard let work = try? BuildFolder.make(uid: uid) else { return false }
        defer { work.remove() }
        do {
            try work.write("print(\"ok\")\n", to: "main.swift")
            let command = ToolRunner.contained(
                toolchain.swiftc.path, ["-static-executable", "main.swift", "-o", "probe"], addressSpaceBytes: 4 << 30,
                fileSizeBytes: 512 << 20, uid: work.uid)
            let run = try ToolRunner.run(command, in: work.url.path,
                                         environment: CandidateCompiler.compileEnvironment(swiftc: toolchain.swiftc, work: work.url),
                                         timeoutSeconds: 120)
            return run.status == 0 && FileManager.default.isExecutableFile(atPath: work.url.appendingPathComponent("probe").path)
        } catch {
            return false
        }
    }
}

/// A build folder owned by a compile uid: `sim-cascade-compile-<owner>-<uuid>` in the temporary
/// directory (leftovers of a killed process are removed like stale sandbox folders).
struct BuildFolder {
    let url: URL
    let uid: uid_t

    static let prefix = "sim-cascade-compile-"

    static func make(uid: uid_t) throws -> BuildFolder {
        let url = StaleSandboxes.folder.appendingPathComponent("\(prefix)\(StaleSandboxes.owner)-\(UUID().uuidString)")
        guard mkdir(url.path, 0o700) == 0, chown(url.path, uid, uid) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: url)
            throw CascadeError.system("cannot make the build folder \(url.path): \(reason)")
        }
        return BuildFolder(url: url, uid: uid)
    }

    /// Writes a file the compile uid owns.
    func write(_ text: String, to name: String) throws {
        let file = url.appendingPathComponent(name)
        try Data(text.utf8).write(to: file)
        chown(file.path, uid, uid)
    }

    func remove() { try? FileManager.default.removeItem(at: url) }
}
