// swift-tools-version:6.1
import PackageDescription

// A separate package that depends on ConclaveProtocol the way any other Swift tool would: on
// its own package, which depends on nothing. `scripts/test` builds and runs it, and checks that
// it resolves no other package.
let package = Package(
    name: "ProtocolRoundTrip",
    dependencies: [.package(path: "../../Packages/ConclaveProtocol")],
    targets: [
        .executableTarget(
            name: "ProtocolRoundTrip",
            dependencies: [.product(name: "ConclaveProtocol", package: "ConclaveProtocol")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
