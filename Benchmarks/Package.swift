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
        // A plain loop over the codec, for instruction counts with callgrind (see Docs/BENCHMARKS.md).
        .executableTarget(
            name: "CodecProbe",
            dependencies: [.product(name: "ConclaveProtocol", package: "Conclave")],
            path: "Sources/CodecProbe"
        ),
    ],
    swiftLanguageModes: [.v6]
)
