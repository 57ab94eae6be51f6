// swift-tools-version:6.1
import PackageDescription

// The ordo-one codec benchmarks, in a package of their own so the main build never resolves
// ordo-one/benchmark. (The load generator and CodecProbe are targets of the main package.)
// Run from this directory: `swift package --disable-sandbox benchmark` (or `make bench` at the root).
let package = Package(
    name: "ConclaveBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "Conclave", path: ".."),
        .package(path: "../Packages/ConclaveProtocol"),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "CodecBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "ConclaveProtocol", package: "ConclaveProtocol"),
            ],
            path: "Benchmarks/CodecBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
