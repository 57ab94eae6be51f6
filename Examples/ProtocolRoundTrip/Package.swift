// swift-tools-version:6.1
import PackageDescription

// A separate package that depends on ConclaveProtocol the way any other Swift tool would.
// `scripts/test` builds and runs it to keep that promise honest.
let package = Package(
    name: "ProtocolRoundTrip",
    dependencies: [.package(name: "Conclave", path: "../..")],
    targets: [
        .executableTarget(
            name: "ProtocolRoundTrip",
            dependencies: [.product(name: "ConclaveProtocol", package: "Conclave")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
