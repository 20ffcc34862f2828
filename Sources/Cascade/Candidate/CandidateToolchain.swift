import Foundation

/// What candidate builds need: swiftc, the prebuilt candidate API (static library and module)
/// and the prebuilt host (static library only).
///
/// They are found next to the running executable (`swift build` puts `libCandidateAPI.a`,
/// `libCandidateHost.a` and `Modules/CandidateAPI.swiftmodule` beside `sim-cascade`), or in
/// `../lib/sim-cascade/` for an installed binary. Only the API module is exposed to the
/// candidate: it is copied into a folder of its own, with the two libraries, so that
/// `import Sim`, `import CandidateHost` or `import CandidateWire` cannot compile.
public struct CandidateToolchain: Sendable {
    public let swiftc: URL
    /// Holds `apiFiles`.
    public let apiDirectory: URL
    /// Identifies the API and host builds and the compiler: part of every cache key.
    public let fingerprint: String

    /// Flags of every candidate build (also part of the cache key).
    public static let flags = ["-O", "-swift-version", "6", "-parse-as-library", "-static-executable"]

    /// `flags`, plus what makes a build cheaper without changing its code: one frontend for the
    /// candidate and the harness (`-wmo`: the non-WMO driver runs a frontend per file, each
    /// loading the standard library's module and parsing both files), and the toolchain's lld
    /// where it has one (a static link of the Swift runtime takes gold about twice lld's CPU
    /// time). The three together halve the CPU time of a compile (docs/speed.md). Decided once,
    /// when the toolchain is made: every cache lookup's key holds them.
    public let flags: [String]

    /// Flags of the link alone: with lld, `.deplibs` sections of the inputs are ignored (an
    /// object could name files to load there; `CandidateObjectCheck` refuses them too), and
    /// lld runs on one thread (the output is the same; two threads cost more CPU time on a
    /// link this small). The symbol tables are left out (`--strip-all`: a third of the
    /// executable, which nothing reads: a static executable has no dynamic symbols and the
    /// sandbox no debugger); together a fifth of the link's CPU time.
    public let linkFlags: [String]

    public init(swiftc: URL, apiDirectory: URL, fingerprint: String) {
        (self.swiftc, self.apiDirectory, self.fingerprint) = (swiftc, apiDirectory, fingerprint)
        let lld = swiftc.resolvingSymlinksInPath().deletingLastPathComponent().appendingPathComponent("ld.lld")
        let hasLLD = FileManager.default.isExecutableFile(atPath: lld.path)
        flags = Self.flags + ["-wmo"] + (hasLLD ? ["-use-ld=lld"] : [])
        linkFlags = ["-Xlinker", "--strip-all"]
            + (hasLLD ? ["-Xlinker", "--no-dependent-libraries", "-Xlinker", "--threads=1"] : [])
    }

    /// The files of the API folder.
    static let apiFiles = ["libCandidateAPI.a", "libCandidateHost.a", "CandidateAPI.swiftmodule"]

    /// Locates swiftc, the API and the host, and prepares the API folder under `cacheRoot`.
    /// - Throws: `CascadeError.toolchainMissing` naming what is missing.
    public static func locate(cacheRoot: URL, executable: URL = CandidateToolchain.currentExecutable) throws -> CandidateToolchain {
        let swiftc = try findSwiftc()
        let products = executable.deletingLastPathComponent()
        let places = [
            (products, products.appendingPathComponent("Modules/CandidateAPI.swiftmodule")),
            (products, products.appendingPathComponent("CandidateAPI.swiftmodule")),
            (products.appendingPathComponent("../lib/sim-cascade").standardizedFileURL,
             products.appendingPathComponent("../lib/sim-cascade/CandidateAPI.swiftmodule").standardizedFileURL),
        ]
        let libraries = ["libCandidateAPI.a", "libCandidateHost.a"]
        guard let (folder, module) = places.first(where: { folder, module in
            FileManager.default.fileExists(atPath: module.path)
                && libraries.allSatisfy { FileManager.default.fileExists(atPath: folder.appendingPathComponent($0).path) }
        }) else {
            throw CascadeError.toolchainMissing(
                "candidate API not found next to \(executable.path) "
                    + "(expected libCandidateAPI.a, libCandidateHost.a and Modules/CandidateAPI.swiftmodule; run `swift build -c release`)")
        }
        let contents = try libraries.map { try Data(contentsOf: folder.appendingPathComponent($0)) } + [try Data(contentsOf: module)]
        let version = try swiftVersion(swiftc, cacheRoot: cacheRoot)
        var hash = FNV1a()
        for data in contents { hash.combine(data) }
        hash.combine(Data(version.utf8))
        let fingerprint = hash.hex

        let apiDirectory = cacheRoot.appendingPathComponent("api-\(fingerprint)", isDirectory: true)
        let fm = FileManager.default
        if !apiFiles.allSatisfy({ fm.fileExists(atPath: apiDirectory.appendingPathComponent($0).path) }) {
            do {
                let staging = cacheRoot.appendingPathComponent("api-staging-\(UUID().uuidString)")
                try fm.createDirectory(at: staging, withIntermediateDirectories: true)
                for (name, data) in zip(apiFiles, contents) { try data.write(to: staging.appendingPathComponent(name)) }
                do {
                    try fm.moveItem(at: staging, to: apiDirectory)
                } catch {
                    try? fm.removeItem(at: staging)  // another process got there first
                }
            } catch {
                throw CascadeError.system("cannot prepare the candidate API in \(cacheRoot.path): \(error.localizedDescription)")
            }
        }
        return CandidateToolchain(swiftc: swiftc, apiDirectory: apiDirectory, fingerprint: fingerprint)
    }

    public static var currentExecutable: URL {
        URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
    }

    static func findSwiftc() throws -> URL {
        let environment = ProcessInfo.processInfo.environment
        if let explicit = environment["SIM_CASCADE_SWIFTC"] {
            return URL(fileURLWithPath: explicit)
        }
        let path = (environment["PATH"] ?? "").split(separator: ":").map(String.init) + ["/opt/swift/usr/bin", "/usr/bin"]
        for dir in path {
            let candidate = URL(fileURLWithPath: dir).appendingPathComponent("swiftc")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        throw CascadeError.toolchainMissing("swiftc not found on PATH (or set SIM_CASCADE_SWIFTC)")
    }

    /// `swiftc --version`, remembered per compiler binary (path, size, modification time):
    /// starting the driver costs tens of milliseconds, on every eval.
    static func swiftVersion(_ swiftc: URL, cacheRoot: URL) throws -> String {
        let resolved = swiftc.resolvingSymlinksInPath()
        let attributes = try? FileManager.default.attributesOfItem(atPath: resolved.path)
        var key = FNV1a()
        key.combine(Array(resolved.path.utf8))
        key.combine(Array("\(attributes?[.size] ?? 0) \((attributes?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0)".utf8))
        let remembered = cacheRoot.appendingPathComponent("swiftc-version-\(key.hex)")
        if let text = try? String(contentsOf: remembered, encoding: .utf8), !text.isEmpty { return text }
        // The driver leaves a `TemporaryDirectory.*` in $TMPDIR even for `--version`: one of
        // its own, removed after.
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("sim-cascade-swiftc-version-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: false)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let environment = ToolRunner.inheritedEnvironment.filter { !$0.hasPrefix("TMPDIR=") } + ["TMPDIR=\(scratch.path)"]
        let outcome = try ToolRunner.run(swiftc.path, arguments: ["--version"], environment: environment, timeoutSeconds: 30)
        guard outcome.status == 0 else {
            throw CascadeError.toolchainMissing("\(swiftc.path) --version failed: \(outcome.output)")
        }
        try? FileManager.default.createDirectory(at: cacheRoot, withIntermediateDirectories: true)
        try? outcome.output.write(to: remembered, atomically: true, encoding: .utf8)
        return outcome.output
    }
}

/// 64-bit FNV-1a. Used for keys whose users keep the full key material and compare it on a
/// hit (the compile cache, the program store), so a collision costs only extra work.
public struct FNV1a: Sendable {
    public private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    public init() {}

    public mutating func combine(_ data: Data) {
        data.withUnsafeBytes { combine($0) }
    }

    public mutating func combine(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { combine($0) }
    }

    public mutating func combine(_ bytes: UnsafeRawBufferPointer) {
        for byte in bytes {
            value ^= UInt64(byte)
            value = value &* 0x0000_0100_0000_01B3
        }
        // A separator, so that ("ab", "c") and ("a", "bc") differ.
        value ^= 0xFF
        value = value &* 0x0000_0100_0000_01B3
    }

    public var hex: String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
