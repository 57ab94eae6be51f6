// swift-tools-version:6.1
import PackageDescription

/// Swift 6 language mode everywhere; strict concurrency is implied by it.
let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "Conclave",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "ConclaveProtocol", targets: ["ConclaveProtocol"]),
        .library(name: "ConclaveIdentity", targets: ["ConclaveIdentity"]),
        .executable(name: "conclave", targets: ["ConclaveCLI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
    ],
    targets: [
        // libsodium through pkg-config: Ed25519, base64url, CSPRNG, secret wiping.
        .systemLibrary(
            name: "CSodium",
            pkgConfig: "libsodium",
            providers: [.apt(["libsodium-dev"]), .brew(["libsodium"])]
        ),
        // The wire format. Standard library only, so any Swift tool can depend on it.
        .target(
            name: "ConclaveProtocol",
            swiftSettings: strictSettings
        ),
        .target(
            name: "ConclaveIdentity",
            dependencies: [
                "ConclaveProtocol",
                "CSodium",
                .product(name: "TOMLKit", package: "TOMLKit"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "ConclaveCLI",
            dependencies: [
                "ConclaveProtocol",
                "ConclaveIdentity",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "ConclaveProtocolTests",
            dependencies: ["ConclaveProtocol"],
            resources: [.copy("Resources/vectors.json")],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "ConclaveIdentityTests",
            dependencies: ["ConclaveIdentity", "ConclaveProtocol"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "ConclaveCLITests",
            dependencies: ["ConclaveCLI", "ConclaveIdentity"],
            swiftSettings: strictSettings
        ),
    ],
    swiftLanguageModes: [.v6]
)
