import ConclaveIdentity
import ConclaveProtocol
import Testing

@Suite("Permission resolution and config edits")
struct ClientConfigTests {
    let s1 = try! ServerURL("wss://s1")
    let s2 = try! ServerURL("wss://s2")

    @Test func resolutionOrder() {
        var config = ClientConfig(defaultPermission: .notify)
        #expect(config.permission(server: s1, scope: .channel("ops")) == .notify)
        config.setPermission(.act, server: s1, scope: .channel("ops"))
        config.setPermission(.converse, server: s1, scope: .whisper)
        #expect(config.permission(server: s1, scope: .channel("ops")) == .act)
        #expect(config.permission(server: s1, scope: .whisper) == .converse)
        #expect(config.permission(server: s1, scope: .channel("other")) == .notify)
        #expect(config.permission(server: s2, scope: .channel("ops")) == .notify)
        #expect(config.permission(server: s2, scope: .whisper) == .notify)
        config.defaultPermission = .mute
        #expect(config.permission(server: s2, scope: .whisper) == .mute)
    }

    @Test func firstMatchingOverrideWinsAndURLsAreCompareNormalised() throws {
        let config = ClientConfig(overrides: [
            PermissionOverride(server: "wss://s1", scope: .channel("ops"), level: .act),
            PermissionOverride(server: "wss://s1/", scope: .channel("ops"), level: .mute),
        ])
        #expect(config.permission(server: try ServerURL("WSS://S1:443/"), scope: .channel("ops")) == .act)
    }

    @Test func upsertReplacesTheSameKeyAndAppends() {
        var config = ClientConfig()
        config.setPermission(.act, server: s1, scope: .channel("ops"))
        config.setPermission(.mute, server: s2, scope: .whisper)
        config.setPermission(.converse, server: s1, scope: .channel("ops"))
        #expect(config.overrides == [
            PermissionOverride(server: "wss://s2/", scope: .whisper, level: .mute),
            PermissionOverride(server: "wss://s1/", scope: .channel("ops"), level: .converse),
        ])
    }

    @Test func forgettingAServerRemovesItsOverridesOnly() {
        var config = ClientConfig()
        config.register(server: s1, username: "aaron", machine: "ws")
        config.register(server: s2, username: "aaron", machine: "ws")
        config.setPermission(.act, server: s1, scope: .channel("ops"))
        config.setPermission(.act, server: s1, scope: .whisper)
        config.setPermission(.act, server: s2, scope: .channel("ops"))
        #expect(config.forget(server: s1) == 2)
        #expect(config.servers.map(\.url) == ["wss://s2/"])
        #expect(config.overrides.count == 1)
        #expect(config.forget(server: s1) == nil)
    }

    @Test func registeringAgainReplaces() {
        var config = ClientConfig()
        config.register(server: s1, username: "aaron", machine: "ws")
        config.register(server: try! ServerURL("wss://s1/"), username: "aaron", machine: "laptop")
        #expect(config.servers == [Registration(url: "wss://s1/", username: "aaron", machine: "laptop")])
        #expect(config.registration(for: s1)?.machine == "laptop")
    }
}
