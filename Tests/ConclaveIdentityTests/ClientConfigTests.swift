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
            PermissionOverride(server: "wss://s2", scope: .whisper, level: .mute),
            PermissionOverride(server: "wss://s1", scope: .channel("ops"), level: .converse),
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
        #expect(config.servers.map(\.url) == ["wss://s2"])
        #expect(config.overrides.count == 1)
        #expect(config.forget(server: s1) == nil)
    }

    /// The reference compares these strings as they stand, so they keep the user's spelling, and
    /// an override takes its registration's spelling whatever spelling `perm set` was given.
    @Test func urlsKeepTheSpellingTheUserWrote() throws {
        var config = ClientConfig()
        let typed = try ServerURL("ws://127.0.0.1:4390")
        config.register(server: typed, username: "aaron", machine: "ws")
        #expect(config.servers.map(\.url) == ["ws://127.0.0.1:4390"])
        config.setPermission(.act, server: try ServerURL("WS://127.0.0.1:4390/"), scope: .channel("ops"))
        config.addApprover(server: try ServerURL("ws://127.0.0.1:4390/"), user: "boss", key: "k", machine: nil)
        #expect(config.overrides.map(\.server) == ["ws://127.0.0.1:4390"])
        #expect(config.approvers.map(\.server) == ["ws://127.0.0.1:4390"])
        let addedAgain = config.addApprover(server: typed, user: "boss", key: "k", machine: nil)
        #expect(!addedAgain, "the same approver in another spelling")

        // Registering again under another spelling carries the overrides and approvers along.
        config.register(server: try ServerURL("ws://localhost:4390"), username: "aaron", machine: "ws")
        config.register(server: try ServerURL("ws://127.0.0.1:4390/"), username: "aaron", machine: "ws")
        #expect(config.servers.map(\.url) == ["ws://localhost:4390", "ws://127.0.0.1:4390/"])
        #expect(config.overrides.map(\.server) == ["ws://127.0.0.1:4390/"])
        #expect(config.approvers.map(\.server) == ["ws://127.0.0.1:4390/"])
        #expect(try ServerURL("ws://127.0.0.1:4390") == ServerURL("ws://127.0.0.1:4390/"))
    }

    @Test func migrationDropsOnlyTheSlashOurNormalFormAdded() {
        var config = ClientConfig(
            servers: [
                Registration(url: "ws://127.0.0.1:4390/", username: "a", machine: "m"),
                Registration(url: "wss://h.example/conclave", username: "a", machine: "m"),
                Registration(url: "WSS://Other.example/", username: "a", machine: "m"),
            ],
            overrides: [PermissionOverride(server: "ws://127.0.0.1:4390/", scope: .whisper, level: .act)],
            urlsAsWritten: false)
        let migrated = config.migrateURLSpelling()
        #expect(migrated)
        #expect(config.servers.map(\.url) == ["ws://127.0.0.1:4390", "wss://h.example/conclave", "WSS://Other.example/"])
        #expect(config.overrides.map(\.server) == ["ws://127.0.0.1:4390"])
        #expect(config.urlsAsWritten)
        let migratedAgain = config.migrateURLSpelling()
        #expect(!migratedAgain, "once only")
    }

    @Test func aCAFileIsKeptWhenTheServerIsRegisteredAgainWithoutOne() throws {
        var config = ClientConfig()
        config.register(server: s1, username: "aaron", machine: "ws", caFile: "/etc/conclave/ca.pem")
        config.register(server: s1, username: "aaron", machine: "laptop")
        #expect(config.registration(for: s1)?.caFile == "/etc/conclave/ca.pem")
        config.register(server: s1, username: "aaron", machine: "laptop", caFile: "/srv/ca.pem")
        #expect(config.registration(for: s1)?.caFile == "/srv/ca.pem")
    }

    @Test func registeringAgainReplaces() {
        var config = ClientConfig()
        config.register(server: s1, username: "aaron", machine: "ws")
        config.register(server: try! ServerURL("wss://s1/"), username: "aaron", machine: "laptop")
        #expect(config.servers == [Registration(url: "wss://s1/", username: "aaron", machine: "laptop")])
        #expect(config.registration(for: s1)?.machine == "laptop")
    }
}
