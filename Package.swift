// swift-tools-version:6.1
import PackageDescription

/// Settings shared by every target.
let swiftSettings: [SwiftSetting] = [
    // https://github.com/apple/swift-evolution/blob/main/proposals/0335-existential-any.md
    .enableUpcomingFeature("ExistentialAny"),
    // https://github.com/swiftlang/swift-evolution/blob/main/proposals/0444-member-import-visibility.md
    .enableUpcomingFeature("MemberImportVisibility"),
    // https://github.com/swiftlang/swift-evolution/blob/main/proposals/0409-access-level-on-imports.md
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "Godwit",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "godwit", targets: ["godwit"]),
        .library(name: "GodwitCore", targets: ["GodwitCore"]),
        .library(name: "GodwitSQLite", targets: ["GodwitSQLite"]),
        .library(name: "GodwitPostgres", targets: ["GodwitPostgres"]),
        .library(name: "GodwitEngine", targets: ["GodwitEngine"]),
        .library(name: "GodwitMonitor", targets: ["GodwitMonitor"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-async-algorithms", from: "1.1.4"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
    ],
    targets: [
        // The engine-neutral heart: schema model, migrations, classification, renderers.
        // No database, NIO or CLI imports.
        .target(
            name: "GodwitCore",
            dependencies: [
                .product(name: "Yams", package: "Yams"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        // The embedded default engine.
        .target(
            name: "GodwitSQLite",
            dependencies: [
                "GodwitCore", .product(name: "GRDB", package: "GRDB.swift"),
                // The C API, for reading result columns without GRDB's per-value conversions.
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ],
            swiftSettings: swiftSettings
        ),
        // PostgreSQL through postgres-nio.
        .target(
            name: "GodwitPostgres",
            dependencies: [
                "GodwitCore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // Opens the right driver for a URL; later the executor, rehearsal and copy.
        .target(
            name: "GodwitEngine",
            dependencies: [
                "GodwitCore", "GodwitSQLite", "GodwitPostgres",
                .product(name: "AsyncAlgorithms", package: "swift-async-algorithms"),
            ],
            swiftSettings: swiftSettings
        ),
        // Watching a run: the live view of a migration, its Prometheus metrics and the dashboard
        // served over HTTP (`--serve`, `godwit watch`).
        .target(
            name: "GodwitMonitor",
            dependencies: [
                "GodwitCore", "GodwitEngine",
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // Commands, terminal output.
        .target(
            name: "GodwitCLI",
            dependencies: [
                "GodwitCore", "GodwitEngine", "GodwitMonitor",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(name: "godwit", dependencies: ["GodwitCLI"], swiftSettings: swiftSettings),
        // Helpers shared by the test targets: fixtures, temporary databases, the test PostgreSQL.
        .target(
            name: "GodwitTesting",
            dependencies: ["GodwitCore", "GodwitEngine", "GodwitPostgres"],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "GodwitCoreTests", dependencies: ["GodwitCore", "GodwitTesting"], exclude: ["Golden"], swiftSettings: swiftSettings),
        .testTarget(
            name: "GodwitSQLiteTests",
            dependencies: ["GodwitSQLite", "GodwitEngine", "GodwitTesting"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "GodwitPostgresTests",
            dependencies: ["GodwitPostgres", "GodwitEngine", "GodwitTesting"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "GodwitEngineTests",
            dependencies: ["GodwitEngine", "GodwitTesting"],
            exclude: ["Golden"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "GodwitMonitorTests",
            dependencies: ["GodwitMonitor", "GodwitEngine", "GodwitTesting"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "GodwitCLITests",
            dependencies: ["GodwitCLI", "GodwitEngine", "GodwitTesting"],
            exclude: ["Golden"],
            swiftSettings: swiftSettings
        ),
    ]
)
