// swift-tools-version: 6.0
import PackageDescription

// Coverage-guided fuzz targets (libFuzzer, through the Swift toolchain's `-sanitize=fuzzer`).
// Build and run with `scripts/fuzz`; the flags it passes (`-sanitize=fuzzer`, `-enable-testing`)
// instrument every module, and `@testable` imports reach the server's and bridge's internals.
let package = Package(
    name: "ConclaveFuzz",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "Conclave", path: ".."),
        .package(path: "../Packages/ConclaveProtocol"),
    ],
    targets: [
        // glibc's heap statistics, which the Glibc module does not export.
        .target(name: "HeapStats", path: "Sources/HeapStats"),
        .target(name: "FuzzSupport", dependencies: ["HeapStats"], path: "Sources/FuzzSupport"),
        .executableTarget(
            name: "FuzzFrameDecoder",
            dependencies: ["FuzzSupport", .product(name: "ConclaveProtocol", package: "ConclaveProtocol")],
            path: "Sources/FuzzFrameDecoder",
            // libFuzzer supplies the entry point; see FuzzDriver.
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]),
        .executableTarget(
            name: "FuzzServerSession",
            dependencies: [
                "FuzzSupport",
                .product(name: "ConclaveProtocol", package: "ConclaveProtocol"),
                .product(name: "ConclaveIdentity", package: "Conclave"),
                .product(name: "ConclaveTransport", package: "Conclave"),
                .product(name: "ConclaveServer", package: "Conclave"),
                .product(name: "ConclaveSQLite", package: "Conclave"),
            ],
            path: "Sources/FuzzServerSession",
            // libFuzzer supplies the entry point; see FuzzDriver.
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]),
        .executableTarget(
            name: "FuzzBridgeInput",
            dependencies: [
                "FuzzSupport",
                .product(name: "ConclaveProtocol", package: "ConclaveProtocol"),
                .product(name: "ConclaveIdentity", package: "Conclave"),
                .product(name: "ConclaveBridge", package: "Conclave"),
            ],
            path: "Sources/FuzzBridgeInput",
            // libFuzzer supplies the entry point; see FuzzDriver.
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]),
    ],
    swiftLanguageModes: [.v6]
)
