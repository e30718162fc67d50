// swift-tools-version:6.1
import PackageDescription

// The engine's least squares and the suppression's linear programs run in every test that makes a
// release: compiled with optimisation even in debug builds, so that `make test` stays short.
let optimizedEvenInDebug: [SwiftSetting] = [.unsafeFlags(["-O"], .when(configuration: .debug))]

let package = Package(
    name: "Mosaic",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "mosaic", targets: ["mosaic"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/attaswift/BigInt", from: "6.0.1"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        // The command-line tool: parses arguments and prints; every command calls a library.
        .executableTarget(
            name: "mosaic",
            dependencies: [
                "MosaicText", .product(name: "GRDB", package: "GRDB.swift"),
                "MosaicCodebook", "MosaicRegistry", "MosaicStore", "MosaicIntake", "MosaicSynth", "MosaicDemo", "MosaicPrivacy",
                "MosaicRelease", "MosaicReleaseFile", "MosaicSeal", "MosaicForm", "MosaicKeyring", "MosaicCounts", "MosaicEngine",
                "MosaicErrorModel",
                "MosaicQuery", "MosaicReporting", "MosaicFiles",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            exclude: ["README.md"]),
        // Files written all or nothing (temporary name, fsync, link without replacing), and process identity.
        .target(name: "MosaicFiles", exclude: ["README.md"]),
        // Strict, line-aware CSV and JSON reading (and CSV writing) shared by the file formats.
        .target(name: "MosaicText", exclude: ["README.md"]),
        // What schools count: the versioned codebook, periods and the rules between tables.
        .target(name: "MosaicCodebook", exclude: ["README.md"], resources: [.copy("Resources/codebooks")]),
        // The school registry file format.
        .target(name: "MosaicRegistry", dependencies: ["MosaicText"], exclude: ["README.md"]),
        // The authority's raw store (SQLite through GRDB): schema, migrations, queries.
        .target(
            name: "MosaicStore",
            dependencies: [
                "MosaicCodebook", "MosaicRegistry", "MosaicFiles", "MosaicReleaseFile", "MosaicErrorModel",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            exclude: ["README.md"]),
        // School side: the counts file formats (CSV, JSON), their validation and templates. No store.
        .target(
            name: "MosaicCounts", dependencies: ["MosaicText", "MosaicCodebook", "MosaicRegistry"], exclude: ["README.md"],
            resources: [.copy("Resources/intake-en.json"), .copy("Resources/intake-es.json")]),
        // Authority side: registry checks and batched ingest of counts files and packages into the store.
        .target(
            name: "MosaicIntake",
            dependencies: ["MosaicText", "MosaicCodebook", "MosaicRegistry", "MosaicCounts", "MosaicStore", "MosaicFiles"],
            exclude: ["README.md"]),
        // Synthetic registry and counts for demos, tests and benchmarks.
        .target(
            name: "MosaicSynth",
            dependencies: ["MosaicText", "MosaicCodebook", "MosaicRegistry", "MosaicCounts", "MosaicFiles"],
            exclude: ["README.md"],
            resources: [.copy("Resources/geography-es.csv")]),

        // GLPK (Debian's libglpk-dev): the linear programs of complementary suppression and the interval audit.
        .systemLibrary(name: "CGLPK", path: "Sources/CGLPK"),
        // Public side: what a reader can derive from a release (the relations, the interval audit) and the
        // suppression that keeps withheld values from being computed by subtraction.
        .target(
            name: "MosaicDisclosure", dependencies: ["CGLPK", "MosaicCodebook", "MosaicErrorModel"], exclude: ["README.md"],
            swiftSettings: optimizedEvenInDebug),
        // SQLite hardening for SQL and files from outside (sqlite3_db_config is variadic: C only).
        .target(name: "CSQLiteGuard", linkerSettings: [.linkedLibrary("sqlite3")]),
        // The kernel's CSPRNG (getrandom), which Swift's Glibc module does not expose.
        .target(name: "CSystemRandom"),
        // Exact noise samplers (discrete Laplace, discrete Gaussian) over the OS CSPRNG; integers only.
        .target(
            name: "MosaicSamplers",
            dependencies: ["CSystemRandom", .product(name: "BigInt", package: "BigInt")],
            exclude: ["README.md"]),
        // Privacy accounting: budgets in exact nano-ρ, privacy maps, (ε, δ) conversion.
        .target(name: "MosaicPrivacy", exclude: ["README.md"]),
        // The release file format (SQLite and CSV): what may leave the authority.
        .target(
            name: "MosaicReleaseFile",
            dependencies: [
                "MosaicErrorModel", "MosaicDisclosure",
                "MosaicText", "MosaicFiles", "MosaicCodebook", "CSQLiteGuard", .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ],
            exclude: ["README.md"]),
        // Public side: the hierarchy, the tree estimator's covariance and the margin formulas, from public parameters only.
        .target(name: "MosaicErrorModel", dependencies: ["MosaicCodebook"], exclude: ["README.md"]),
        // The pure privacy engine: plan, measurements, least squares, top-down integers, error model.
        .target(
            name: "MosaicEngine",
            dependencies: ["MosaicCodebook", "MosaicRegistry", "MosaicPrivacy", "MosaicSamplers", "MosaicErrorModel", "MosaicDisclosure"],
            exclude: ["README.md"], swiftSettings: optimizedEvenInDebug),
        // Releases from the store: the ledger, persistence, export.
        .target(
            name: "MosaicRelease",
            dependencies: [
                .product(name: "GRDB", package: "GRDB.swift"), "MosaicCodebook", "MosaicRegistry", "MosaicPrivacy", "MosaicSamplers",
                "MosaicStore", "MosaicReleaseFile", "MosaicEngine", "MosaicErrorModel", "MosaicFiles", "MosaicDisclosure",
            ],
            exclude: ["README.md"]),
        // School side: keys, credentials, signed (Ed25519) and encrypted (HPKE) packages. No store.
        .target(
            name: "MosaicSeal",
            dependencies: ["MosaicCodebook", "MosaicCounts", "MosaicFiles", .product(name: "Crypto", package: "swift-crypto")],
            exclude: ["README.md"]),
        // School side: the offline browser form (HTML with Web Crypto sealing). No store.
        .target(
            name: "MosaicForm",
            dependencies: ["MosaicCodebook", "MosaicSeal", .product(name: "Crypto", package: "swift-crypto")],
            exclude: ["README.md"]),
        // Authority side of sealed submissions: verifying packages against registered keys, issuing credentials.
        .target(
            name: "MosaicKeyring",
            dependencies: [
                "MosaicSeal", "MosaicCounts", "MosaicIntake", "MosaicStore", "MosaicFiles", "MosaicCodebook",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            exclude: ["README.md"]),
        // Researchers' queries on release files (never the store).
        .target(
            name: "MosaicQuery",
            dependencies: [
                "MosaicCodebook", "MosaicErrorModel", "MosaicReleaseFile", "MosaicText", "MosaicFiles", "MosaicDisclosure",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ],
            exclude: ["README.md"]),
        // Trend reports from release files (never the store).
        .target(
            name: "MosaicReporting",
            dependencies: [
                "MosaicCodebook", "MosaicErrorModel", "MosaicQuery", "MosaicReleaseFile", "MosaicText", "MosaicFiles", "MosaicDisclosure",
            ],
            exclude: ["README.md"],
            resources: [.copy("Resources/report-en.json"), .copy("Resources/report-es.json")]),
        // The end-to-end demonstration on synthetic data.
        .target(
            name: "MosaicDemo",
            dependencies: [
                "MosaicCodebook", "MosaicRegistry", "MosaicStore", "MosaicIntake", "MosaicCounts", "MosaicSynth", "MosaicPrivacy",
                "MosaicRelease",
                "MosaicReleaseFile", "MosaicSeal", "MosaicKeyring", "MosaicQuery", "MosaicReporting",
            ],
            exclude: ["README.md"]),

        // Benchmarks (run by scripts under Analysis/).
        .executableTarget(name: "sampler-bench", dependencies: ["MosaicSamplers"], path: "Analysis/SamplerBench"),
        .executableTarget(
            name: "privacy-eval",
            dependencies: ["MosaicCodebook", "MosaicPrivacy", "MosaicEngine", "MosaicErrorModel", "MosaicSamplers", "MosaicSynth"],
            path: "Analysis/PrivacyEval"),
        .executableTarget(
            name: "suppression-eval",
            dependencies: [
                "MosaicCodebook", "MosaicDisclosure", "MosaicEngine", "MosaicErrorModel", "MosaicPrivacy", "MosaicSamplers", "MosaicSynth",
                "MosaicTestSupport",
            ],
            path: "Analysis/SuppressionEval"),
        .executableTarget(
            name: "seal-bench", dependencies: ["MosaicCounts", "MosaicSeal", "MosaicKeyring", "MosaicStore"], path: "Analysis/SealBench"),

        .testTarget(name: "MosaicTextTests", dependencies: ["MosaicText"]),
        .testTarget(name: "MosaicCodebookTests", dependencies: ["MosaicCodebook"]),
        .testTarget(name: "MosaicRegistryTests", dependencies: ["MosaicRegistry"]),
        .testTarget(
            name: "MosaicStoreTests",
            dependencies: [.product(name: "GRDB", package: "GRDB.swift"), "MosaicStore", "MosaicCodebook", "MosaicRegistry"]),
        .testTarget(
            name: "MosaicIntakeTests",
            dependencies: [
                "MosaicCounts", .product(name: "GRDB", package: "GRDB.swift"), "MosaicIntake", "MosaicStore", "MosaicCodebook",
                "MosaicRegistry", "MosaicSynth", "MosaicText", "MosaicFiles",
            ]),
        .testTarget(name: "MosaicSynthTests", dependencies: ["MosaicCounts", "MosaicSynth", "MosaicCodebook", "MosaicIntake"]),
        // Seeded entropy and statistical helpers, for test targets only.
        .target(name: "MosaicTestSupport", dependencies: ["MosaicSamplers"], path: "Tests/MosaicTestSupport"),
        .testTarget(
            name: "MosaicSamplersTests",
            dependencies: ["MosaicSamplers", "MosaicTestSupport", .product(name: "BigInt", package: "BigInt")]),
        .testTarget(
            name: "MosaicReleaseTests",
            dependencies: [
                "MosaicErrorModel", "MosaicDisclosure",
                "MosaicRelease", "MosaicEngine", "MosaicReleaseFile", "MosaicStore", "MosaicQuery", "MosaicCodebook", "MosaicPrivacy",
                "MosaicRegistry", "MosaicFiles",
                "MosaicIntake", "MosaicSynth", "MosaicTestSupport", "MosaicText", .product(name: "GRDB", package: "GRDB.swift"),
            ]),
        .testTarget(name: "MosaicPrivacyTests", dependencies: ["MosaicPrivacy"]),
        .testTarget(
            name: "MosaicEngineTests",
            dependencies: [
                "MosaicEngine", "MosaicErrorModel", "MosaicCodebook", "MosaicPrivacy", "MosaicRegistry", "MosaicSynth", "MosaicTestSupport",
                "MosaicDisclosure",
            ]),
        .testTarget(name: "MosaicErrorModelTests", dependencies: ["MosaicErrorModel", "MosaicCodebook"]),
        .testTarget(name: "MosaicFilesTests", dependencies: ["MosaicFiles"]),
        .testTarget(
            name: "MosaicDisclosureTests",
            dependencies: [
                "MosaicDisclosure", "MosaicEngine", "MosaicErrorModel", "MosaicCodebook", "MosaicSynth", "MosaicTestSupport",
                "MosaicPrivacy",
            ]),
        .testTarget(
            name: "MosaicReleaseFileTests", dependencies: ["MosaicErrorModel", "MosaicReleaseFile", "MosaicCodebook", "MosaicFiles"]),
        .testTarget(name: "MosaicCountsTests", dependencies: ["MosaicCounts", "MosaicCodebook"]),
        .testTarget(
            name: "MosaicKeyringTests", dependencies: ["MosaicKeyring", "MosaicSeal", "MosaicStore", "MosaicRegistry", "MosaicFiles"]),
        .testTarget(
            name: "MosaicSealTests",
            dependencies: [
                "MosaicKeyring", "MosaicCounts", .product(name: "GRDB", package: "GRDB.swift"), "MosaicSeal", "MosaicIntake", "MosaicStore",
                "MosaicCodebook", "MosaicRegistry", "MosaicFiles", .product(name: "Crypto", package: "swift-crypto"),
            ],
            exclude: ["Vectors"]),
        .testTarget(
            name: "MosaicQueryTests",
            dependencies: [
                "MosaicErrorModel",
                "MosaicQuery", "MosaicRelease", "MosaicReleaseFile", "MosaicStore", "MosaicSynth", "MosaicCodebook", "MosaicPrivacy",
                "MosaicTestSupport", .product(name: "GRDB", package: "GRDB.swift"),
            ]),
        .testTarget(
            name: "MosaicReportingTests",
            dependencies: [
                "MosaicErrorModel", "MosaicDisclosure",
                "MosaicReporting", "MosaicReleaseFile", "MosaicQuery", "MosaicRelease", "MosaicStore", "MosaicSynth", "MosaicCodebook",
                "MosaicPrivacy", "MosaicTestSupport", .product(name: "GRDB", package: "GRDB.swift"),
            ]),
        .testTarget(name: "MosaicDemoTests", dependencies: ["MosaicCounts", "MosaicIntake", "MosaicDemo", "MosaicStore"]),
        .testTarget(name: "MosaicCLITests", dependencies: ["mosaic"]),
        .testTarget(
            name: "MosaicFormTests",
            dependencies: ["MosaicForm", "MosaicCodebook", "MosaicSeal", .product(name: "Crypto", package: "swift-crypto")]),
    ]
)
