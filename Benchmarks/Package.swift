// swift-tools-version:6.1
import PackageDescription

// A separate package so the main build and `swift test` never compile the benchmark harness.
// Run from this directory: `swift package --disable-sandbox benchmark` (or `make bench` at the root).
let package = Package(
    name: "ConclaveBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "Conclave", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
    ],
    targets: [
        .executableTarget(
            name: "CodecBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "ConclaveProtocol", package: "Conclave"),
            ],
            path: "Benchmarks/CodecBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // The load generator: real protocol, many connections per process, plus the anchors
        // (a same-stack broadcast server, and a RESP client for Redis).
        .executableTarget(
            name: "ConclaveLoad",
            dependencies: [
                .product(name: "ConclaveProtocol", package: "Conclave"),
                .product(name: "ConclaveIdentity", package: "Conclave"),
                .product(name: "ConclaveTransport", package: "Conclave"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "Sources/ConclaveLoad"
        ),
        // A plain loop over the codec, for instruction counts with callgrind (see Docs/BENCHMARKS.md).
        .executableTarget(
            name: "CodecProbe",
            dependencies: [.product(name: "ConclaveProtocol", package: "Conclave")],
            path: "Sources/CodecProbe"
        ),
    ],
    swiftLanguageModes: [.v6]
)
