// swift-tools-version:6.0
import PackageDescription

/// The simulators, their core and the candidate side are optimised in debug builds too: the
/// tests (a debug build) run research-scale inputs through them — a 50,800-transaction workload
/// set costs ~6 s per evaluation unoptimised — and a candidate links the API library it was
/// built with. `-O` keeps Swift's checks and floating-point semantics: results are the release
/// build's.
let optimizedInDebug: [SwiftSetting] = [.unsafeFlags(["-O"], .when(configuration: .debug))]

let package = Package(
    name: "sim-cascade",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "sim-cascade", targets: ["sim-cascade"]),
        .library(name: "Sim", targets: ["Sim", "SimCore"]),
        // Candidate executables link these static libraries (see Cascade/Candidate/CandidateToolchain):
        // the API the candidate imports, and the host (wire codec, query loop, `main`) it cannot.
        .library(name: "CandidateAPI", type: .static, targets: ["CandidateAPI"]),
        .library(name: "CandidateHost", type: .static, targets: ["CandidateHost"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/yaslab/CSV.swift", from: "2.5.2"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.1.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
    ],
    targets: [
        // System libraries: Debian's libopenblas-dev and liblapacke-dev.
        .systemLibrary(
            name: "CBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]
        ),
        .systemLibrary(
            name: "CLAPACKE",
            pkgConfig: "lapacke",
            providers: [.apt(["liblapacke-dev"])]
        ),
        // PostgreSQL's client library (Debian's libpq-dev): the txn `system` level's client.
        .systemLibrary(
            name: "CLibPQ",
            pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"])]
        ),

        // The small module candidates import: protocols and value types only.
        .target(name: "CandidateAPI", swiftSettings: optimizedInDebug),
        // The query protocol's framing and codecs, shared by the trusted parent and the host.
        .target(name: "CandidateWire", dependencies: ["CandidateAPI"], swiftSettings: optimizedInDebug),
        // The child side, prebuilt: owns `main`, drives the candidate's policy through the
        // driver its harness exports. Candidates are compiled without it on their import path.
        .target(name: "CandidateHost", dependencies: ["CandidateAPI", "CandidateWire"], swiftSettings: optimizedInDebug),

        // The domain-free core: tensors over BLAS, the seeded generator, the event queue, file
        // I/O, clocks, text escaping. It imports no problem (the compiler enforces it).
        .target(name: "SimCore", dependencies: [
            "CBLAS", "CLAPACKE", .product(name: "HeapModule", package: "swift-collections"),
        ], swiftSettings: optimizedInDebug),
        // Trusted simulators, one folder per problem.
        .target(name: "Sim", dependencies: [
            "SimCore", "CandidateAPI", .product(name: "HeapModule", package: "swift-collections"),
        ], swiftSettings: optimizedInDebug),
        // posix_spawn and pipe extensions that Swift's Glibc module does not expose.
        .target(name: "CSpawnShims"),
        // The real systems at the top of a cascade: a private PostgreSQL server this process
        // starts, its client (libpq) and the executor of transaction schedules on it.
        .target(name: "PostgresEngine", dependencies: ["CLibPQ", "SimCore", "CandidateAPI", "CSpawnShims"]),
        .target(name: "Cascade", dependencies: ["Sim", "SimCore", "CandidateAPI", "CandidateWire", "CSpawnShims", "PostgresEngine"]),
        // The program store is SQLite through GRDB, over the system libsqlite3 (libsqlite3-dev).
        .target(name: "Evolve", dependencies: ["Cascade", "SimCore", .product(name: "GRDB", package: "GRDB.swift")]),

        // The trusted launcher of sandboxed candidates (see its main.c); found next to
        // sim-cascade. Its seccomp filter comes from Debian's libseccomp-dev. Static: linked as
        // any executable target, it loaded libswiftCore.so, libstdc++ and libm it never uses,
        // 1.4 of the ~6 ms from a sandbox's spawn to its first answer. swiftc's link still adds
        // `swiftrt.o`, whose constructor registers the image with the runtime, so the runtime's
        // static initialisers run before `main` as they did from libswiftCore.so (the link's
        // warning that the runtime could `dlopen` comes from them); main.c calls none of it.
        .executableTarget(name: "sim-cascade-sandbox",
                          linkerSettings: [.linkedLibrary("seccomp"), .unsafeFlags(["-static-executable"])]),

        .executableTarget(
            name: "sim-cascade",
            dependencies: [
                "Sim", "SimCore", "Cascade", "Evolve", "PostgresEngine", "sim-cascade-sandbox",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        .target(name: "TestSupport", dependencies: ["Sim", "SimCore"], path: "Tests/TestSupport"),
        // CSV.swift, the reader the prefix tables were read with before CSVRecords, is the oracle
        // of its differential test.
        .testTarget(name: "SimTests", dependencies: ["Sim", "SimCore", "TestSupport", .product(name: "CSV", package: "CSV.swift")]),
        .testTarget(name: "CascadeTests", dependencies: ["Cascade", "Sim", "SimCore", "CandidateAPI", "CandidateWire", "TestSupport"]),
        .testTarget(name: "PostgresEngineTests", dependencies: ["PostgresEngine", "CandidateAPI", "SimCore"]),
        .testTarget(name: "EvolveTests", dependencies: ["Evolve", "Cascade", "SimCore", "TestSupport", .product(name: "GRDB", package: "GRDB.swift")],
                    exclude: ["Fixtures"]),
        .testTarget(name: "EndToEndTests", dependencies: ["sim-cascade", "Evolve", "Sim", "CandidateAPI", "TestSupport"]),
    ]
)
