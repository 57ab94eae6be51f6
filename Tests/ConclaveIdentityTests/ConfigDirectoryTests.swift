import ConclaveIdentity
import Testing

@Suite("Config directory resolution")
struct ConfigDirectoryTests {
    @Test func overrideWins() throws {
        let directory = try ConfigDirectory.resolve(override: "/tmp/x/", environment: ["HOME": "/home/a", "XDG_CONFIG_HOME": "/xdg"])
        #expect(directory.path == "/tmp/x")
        #expect(directory.keyPath == "/tmp/x/key")
        #expect(directory.configPath == "/tmp/x/config.toml")
    }

    @Test func absoluteXDGBeatsHome() throws {
        #expect(try ConfigDirectory.resolve(override: nil, environment: ["HOME": "/home/a", "XDG_CONFIG_HOME": "/xdg"]).path == "/xdg/conclave")
        #expect(try ConfigDirectory.resolve(override: nil, environment: ["HOME": "/home/a", "XDG_CONFIG_HOME": "relative"]).path == "/home/a/.config/conclave")
        #expect(try ConfigDirectory.resolve(override: nil, environment: ["HOME": "/home/a"]).path == "/home/a/.config/conclave")
    }

    @Test func nothingToGoOnIsAnError() {
        #expect(throws: IdentityError.noConfigDirectory) { try ConfigDirectory.resolve(override: nil, environment: [:]) }
    }
}
