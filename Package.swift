// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "sim-cascade",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "sim-cascade", targets: ["sim-cascade"]),
        .library(name: "Sim", targets: ["Sim", "SimCore"]),
        // Candidate executables link this static library (see Cascade/Candidate/CandidateToolchain).
        .library(name: "CandidateAPI", type: .static, targets: ["CandidateAPI"]),
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

        // The small module candidates import: protocols and value types only.
        .target(name: "CandidateAPI"),

        // The domain-free core: tensors over BLAS, the seeded generator, the event queue, file
        // I/O, clocks, text escaping. It imports no problem (the compiler enforces it).
        .target(name: "SimCore", dependencies: [
            "CBLAS", "CLAPACKE", .product(name: "HeapModule", package: "swift-collections"),
        ]),
        // Trusted simulators, one folder per problem.
        .target(name: "Sim", dependencies: [
            "SimCore", "CandidateAPI", .product(name: "CSV", package: "CSV.swift"),
            .product(name: "HeapModule", package: "swift-collections"),
        ]),
        // posix_spawn and pipe extensions that Swift's Glibc module does not expose.
        .target(name: "CSpawnShims"),
        .target(name: "Cascade", dependencies: ["Sim", "SimCore", "CandidateAPI", "CSpawnShims"]),
        // The program store is SQLite through GRDB, over the system libsqlite3 (libsqlite3-dev).
        .target(name: "Evolve", dependencies: ["Cascade", "SimCore", .product(name: "GRDB", package: "GRDB.swift")]),

        // The trusted launcher of sandboxed candidates (see its main.c); found next to
        // sim-cascade. Its seccomp filter comes from Debian's libseccomp-dev.
        .executableTarget(name: "sim-cascade-sandbox", linkerSettings: [.linkedLibrary("seccomp")]),

        .executableTarget(
            name: "sim-cascade",
            dependencies: [
                "Sim", "SimCore", "Cascade", "Evolve", "sim-cascade-sandbox",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        .target(name: "TestSupport", dependencies: ["Sim", "SimCore"], path: "Tests/TestSupport"),
        .testTarget(name: "SimTests", dependencies: ["Sim", "SimCore", "TestSupport"]),
        .testTarget(name: "CascadeTests", dependencies: ["Cascade", "Sim", "SimCore", "CandidateAPI", "TestSupport"]),
        .testTarget(name: "EvolveTests", dependencies: ["Evolve", "Cascade", "SimCore", "TestSupport", .product(name: "GRDB", package: "GRDB.swift")],
                    exclude: ["Fixtures"]),
        .testTarget(name: "EndToEndTests", dependencies: ["sim-cascade", "TestSupport"]),
    ]
)
