// swift-tools-version:6.1
import PackageDescription

/// Swift 6 language mode everywhere; strict concurrency is implied by it.
let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

/// The wire format, from its own package (Packages/ConclaveProtocol).
let wireFormat: Target.Dependency = .product(name: "ConclaveProtocol", package: "ConclaveProtocol")

let package = Package(
    name: "Conclave",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "ConclaveIdentity", targets: ["ConclaveIdentity"]),
        .library(name: "ConclaveTransport", targets: ["ConclaveTransport"]),
        .library(name: "ConclaveStorage", targets: ["ConclaveStorage"]),
        .library(name: "ConclaveSQLite", targets: ["ConclaveSQLite"]),
        .library(name: "ConclavePostgres", targets: ["ConclavePostgres"]),
        .library(name: "ConclaveServer", targets: ["ConclaveServer"]),
        .library(name: "ConclaveBridge", targets: ["ConclaveBridge"]),
        .executable(name: "conclave", targets: ["ConclaveCLI"]),
    ],
    traits: [
        .trait(
            name: "OTLP",
            description: "Export the server's traces and logs over OTLP/HTTP when CONCLAVE_OTLP_ENDPOINT is set (swift-otel). "
                + "Off by default: it adds several minutes to a first build (Docs/OPERATIONS.md)."),
    ],
    dependencies: [
        // The wire format, a package of its own so its users resolve nothing else.
        .package(path: "Packages/ConclaveProtocol"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/hummingbird-project/swift-websocket", from: "1.6.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        // Without its default traits: no swift-configuration to build for a local console.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: []),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-distributed-tracing", from: "1.7.3"),
        // Built only with the OTLP trait, and then only its OTLP/HTTP exporter (no gRPC).
        .package(url: "https://github.com/swift-otel/swift-otel", from: "1.6.0", traits: ["OTLPHTTP"]),
    ],
    targets: [
        // libsodium through pkg-config: Ed25519, base64url, CSPRNG, secret wiping.
        .systemLibrary(
            name: "CSodium",
            pkgConfig: "libsodium",
            providers: [.apt(["libsodium-dev"]), .brew(["libsodium"])]
        ),
        .target(
            name: "ConclaveIdentity",
            dependencies: [
                wireFormat,
                "CSodium",
                .product(name: "TOMLKit", package: "TOMLKit"),
            ],
            swiftSettings: strictSettings
        ),
        // WebSocket links (server and client side), the handshake, the one-shot control client, TLS.
        .target(
            name: "ConclaveTransport",
            dependencies: [
                wireFormat,
                "ConclaveIdentity",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "WSClient", package: "swift-websocket"),
                .product(name: "WSCore", package: "swift-websocket"),
            ],
            swiftSettings: strictSettings
        ),
        // What the server persists and how its instances talk: the store, bus and directory
        // interfaces, with no backend in them.
        .target(
            name: "ConclaveStorage",
            dependencies: [
                wireFormat,
                "ConclaveIdentity",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        // The embedded default: one server process on SQLite through GRDB.
        .target(
            name: "ConclaveSQLite",
            dependencies: [
                "ConclaveStorage",
                wireFormat,
                "ConclaveIdentity",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: strictSettings
        ),
        // Many server processes on one PostgreSQL: the shared store, the cluster directory and the
        // LISTEN/NOTIFY bus.
        .target(
            name: "ConclavePostgres",
            dependencies: [
                "ConclaveStorage",
                wireFormat,
                "ConclaveIdentity",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: strictSettings
        ),
        // The central server: hub, sessions, cluster delivery, `serve`. Storage comes injected.
        .target(
            name: "ConclaveServer",
            dependencies: [
                wireFormat,
                "ConclaveIdentity",
                "ConclaveTransport",
                "ConclaveStorage",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ],
            swiftSettings: strictSettings
        ),
        // The client layer: sessions with a server for the CLI's verbs, `tail` and the bridge
        // (one request queue, keepalive and silence limits, reconnection backoff), the payload
        // opener, and refusal kinds as code.
        .target(
            name: "ConclaveClient",
            dependencies: [
                wireFormat,
                "ConclaveIdentity",
                "ConclaveTransport",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        // Support for tests only (never a product): a scripted server for client tests, test machines.
        .target(
            name: "ConclaveTesting",
            dependencies: [
                wireFormat,
                "ConclaveIdentity",
                "ConclaveTransport",
                "ConclaveClient",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        // The bridge: an MCP stdio server to Claude Code with one link per server.
        .target(
            name: "ConclaveBridge",
            dependencies: [
                wireFormat,
                "ConclaveIdentity",
                "ConclaveTransport",
                "ConclaveClient",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        // `conclave web`: a local console in the browser, above the client layer (and the bridge,
        // for the approval prompts it relays).
        .target(
            name: "ConclaveWeb",
            dependencies: [
                wireFormat,
                "ConclaveIdentity",
                "ConclaveTransport",
                "ConclaveClient",
                "ConclaveBridge",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "ConclaveCLI",
            dependencies: [
                wireFormat,
                "ConclaveIdentity",
                "ConclaveTransport",
                "ConclaveClient",
                "ConclaveServer",
                "ConclaveStorage",
                "ConclaveSQLite",
                "ConclavePostgres",
                "ConclaveBridge",
                "ConclaveWeb",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "OTel", package: "swift-otel", condition: .when(traits: ["OTLP"])),
            ],
            swiftSettings: strictSettings
        ),
        // The benchmark load generator and its anchors (a raw SwiftNIO broadcast floor, a RESP
        // client for Redis). In this package so CI's smoke pass of the benchmark suite reuses the
        // test build instead of compiling every dependency again in a second package; `conclave`
        // does not depend on it, so the newcomer's build never compiles it.
        .executableTarget(
            name: "ConclaveLoad",
            dependencies: [
                wireFormat,
                "ConclaveIdentity",
                "ConclaveTransport",
                "ConclaveClient",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
            ],
            path: "Benchmarks/Sources/ConclaveLoad",
            swiftSettings: strictSettings
        ),
        // A plain loop over the codec, for instruction counts with callgrind (Docs/BENCHMARKS.md).
        .executableTarget(
            name: "CodecProbe",
            dependencies: [wireFormat],
            path: "Benchmarks/Sources/CodecProbe",
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "ConclaveProtocolTests",
            dependencies: [wireFormat],
            resources: [.copy("Resources/vectors.json")],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "ConclaveIdentityTests",
            dependencies: ["ConclaveIdentity", wireFormat],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "ConclaveTransportTests",
            dependencies: [
                "ConclaveTransport", "ConclaveIdentity", wireFormat, "ConclaveTesting",
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "ConclaveClientTests",
            dependencies: ["ConclaveClient", "ConclaveTransport", "ConclaveIdentity", wireFormat, "ConclaveTesting"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "ConclaveServerTests",
            dependencies: [
                "ConclaveServer", "ConclaveTransport", "ConclaveIdentity", wireFormat,
                "ConclaveStorage", "ConclaveSQLite", "ConclavePostgres", "ConclaveTesting", "ConclaveClient",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                // To break the store from outside, as a full disk would.
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "ConclaveBridgeTests",
            dependencies: ["ConclaveBridge", "ConclaveClient", "ConclaveTransport", "ConclaveIdentity", wireFormat, "ConclaveTesting"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "ConclaveWebTests",
            dependencies: ["ConclaveWeb", "ConclaveBridge", "ConclaveIdentity", wireFormat],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "ConclaveCLITests",
            dependencies: ["ConclaveCLI", "ConclaveClient", "ConclaveIdentity", wireFormat, "ConclaveTransport", "ConclaveTesting"],
            swiftSettings: strictSettings
        ),
    ],
    swiftLanguageModes: [.v6]
)
