// swift-tools-version:6.1
import PackageDescription

// The wire format of protocol v1 and its negotiated extensions, as a package of its own: it
// depends on nothing but the standard library, so a tool that speaks the protocol resolves no
// other package (Examples/ProtocolRoundTrip shows it). The main package depends on it by path.
let package = Package(
    name: "ConclaveProtocol",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "ConclaveProtocol", targets: ["ConclaveProtocol"]),
    ],
    targets: [
        .target(
            name: "ConclaveProtocol",
            swiftSettings: [
                .enableUpcomingFeature("ExistentialAny"),
                .enableUpcomingFeature("InternalImportsByDefault"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
