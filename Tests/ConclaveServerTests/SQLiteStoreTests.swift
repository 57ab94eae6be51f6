import ConclaveProtocol
import ConclaveServer
import Foundation
import Testing

@Suite("SQLite store")
struct SQLiteStoreTests {
    let now = "2026-11-28T00:00:00.000Z"

    @Test func usersAndMachinesAreUnique() async throws {
        let store = try SQLiteStore.inMemory()
        #expect(try await store.register(username: "a", machine: "m", pubkey: "k1", now: now) == .registered)
        #expect(try await store.register(username: "a", machine: "m", pubkey: "k2", now: now) == .usernameTaken)
        #expect(try await store.register(username: "b", machine: "m", pubkey: "k1", now: now) == .keyAlreadyEnrolled)
        #expect(try await store.addMachine(user: "a", name: "m", pubkey: "k3", now: now) == .nameTaken)
        #expect(try await store.addMachine(user: "a", name: "m2", pubkey: "k1", now: now) == .keyAlreadyEnrolled)
        #expect(try await store.register(username: "b", machine: "m", pubkey: "k4", now: now) == .registered)
        #expect(try await store.machine(forKey: "k4")?.user == "b")
        #expect(try await store.machines(of: "a").map(\.name) == ["m"])
        #expect(try await store.removeMachine(user: "a", name: "m"))
        #expect(try await store.removeMachine(user: "a", name: "m") == false)
        #expect(try await store.machine(forKey: "k1") == nil)
        #expect(try await store.usernames() == ["a", "b"])
    }

    @Test func aBatchOfMessagesIsStoredInOrderSkippingMissingChannels() async throws {
        let store = try SQLiteStore.inMemory()
        #expect(try await store.createChannel(name: "a", visibility: .public, creator: "u", now: now) == .done)
        #expect(try await store.createChannel(name: "b", visibility: .public, creator: "u", now: now) == .done)
        let ids = try await store.appendMessages([
            NewMessage(channel: "a", sender: "u/m/s", payload: [1], tsMs: 5),
            NewMessage(channel: "gone", sender: "u/m/s", payload: [2], tsMs: 5),
            NewMessage(channel: "b", sender: "u/m/s", payload: [3], tsMs: 5),
            NewMessage(channel: "a", sender: "u/m/s", payload: [4], tsMs: 5),
        ])
        #expect(ids.count == 4)
        #expect(ids[1] == 0)
        #expect(ids[0] > 0 && ids[2] > ids[0] && ids[3] > ids[2])
        #expect(try await store.messages(in: "a", after: 0, limit: 10).map(\.payload) == [[1], [4]])
        #expect(try await store.messages(in: "b", after: 0, limit: 10).map(\.payload) == [[3]])
    }

    @Test func renameMovesEverythingAndDeleteRemovesEverything() async throws {
        let store = try SQLiteStore.inMemory()
        #expect(try await store.createChannel(name: "c", visibility: .private, creator: "a", now: now) == .done)
        #expect(try await store.createChannel(name: "c", visibility: .public, creator: "b", now: now) == .nameTaken)
        try await store.addMember(channel: "c", user: "b")
        try await store.addMember(channel: "c", user: "b")
        try await store.ban(channel: "c", user: "x")
        try await store.createInvite(token: "t", channel: "c", uses: 2, expiresAtMs: nil, creator: "a")
        try await store.appendMessage(channel: "c", sender: "a/m/s", payload: [1], tsMs: 10)
        #expect(try await store.renameChannel(from: "c", to: "d") == .done)
        #expect(try await store.channel(named: "c") == nil)
        #expect(try await store.channel(named: "d")?.visibility == .private)
        #expect(try await store.members(of: "d") == ["a", "b"])
        #expect(try await store.allBans().map(\.channel) == ["d"])
        #expect(try await store.inviteChannel(token: "t") == "d")
        #expect(try await store.messages(in: "d", after: 0, limit: 10).count == 1)
        #expect(try await store.createChannel(name: "e", visibility: .public, creator: "a", now: now) == .done)
        #expect(try await store.renameChannel(from: "d", to: "e") == .nameTaken)
        #expect(try await store.deleteChannel(named: "d"))
        // A new channel with the old name inherits nothing.
        #expect(try await store.createChannel(name: "d", visibility: .public, creator: "z", now: now) == .done)
        #expect(try await store.members(of: "d") == ["z"])
        #expect(try await store.allBans().isEmpty)
        #expect(try await store.inviteChannel(token: "t") == nil)
        #expect(try await store.messages(in: "d", after: 0, limit: 10).isEmpty)
    }

    @Test func redemptionConsumesAtomicallyAndRespectsExpiryAndBans() async throws {
        let store = try SQLiteStore.inMemory()
        _ = try await store.createChannel(name: "c", visibility: .private, creator: "a", now: now)
        try await store.createInvite(token: "once", channel: "c", uses: 1, expiresAtMs: nil, creator: "a")
        try await store.createInvite(token: "old", channel: "c", uses: nil, expiresAtMs: 100, creator: "a")
        try await store.createInvite(token: "open", channel: "c", uses: nil, expiresAtMs: nil, creator: "a")
        let outcomes = try await withThrowingTaskGroup(of: RedemptionOutcome.self) { group in
            for index in 0..<16 {
                group.addTask { try await store.redeemInvite(token: "once", channel: "c", user: "u\(index)", nowMs: 50) }
            }
            return try await group.reduce(into: [RedemptionOutcome]()) { $0.append($1) }
        }
        #expect(outcomes.filter { $0 == .admitted }.count == 1)
        #expect(try await store.inviteChannel(token: "once") == nil)
        #expect(try await store.redeemInvite(token: "old", channel: "c", user: "v", nowMs: 200) == .refused)
        #expect(try await store.inviteChannel(token: "old") == nil)
        try await store.ban(channel: "c", user: "banned")
        #expect(try await store.redeemInvite(token: "open", channel: "c", user: "banned", nowMs: 50) == .refused)
        #expect(try await store.redeemInvite(token: "open", channel: "other", user: "w", nowMs: 50) == .refused)
        #expect(try await store.redeemInvite(token: "open", channel: "c", user: "w", nowMs: 50) == .admitted)
        #expect(try await store.memberships(of: "w") == ["c"])
    }

    @Test func purgeDropsOldMessagesAndExpiredInvites() async throws {
        let store = try SQLiteStore.inMemory()
        _ = try await store.createChannel(name: "c", visibility: .public, creator: "a", now: now)
        for ts in [5, 10, 15] as [Int64] {
            try await store.appendMessage(channel: "c", sender: "a/m/s", payload: [0, 0], tsMs: ts)
        }
        try await store.createInvite(token: "expired", channel: "c", uses: nil, expiresAtMs: 20, creator: "a")
        try await store.createInvite(token: "fresh", channel: "c", uses: nil, expiresAtMs: 40, creator: "a")
        let removed = try await store.purge(messagesBefore: 10, invitesExpiredBefore: 30)
        #expect(removed.messages == 1)
        #expect(removed.invites == 1)
        #expect(try await store.messages(in: "c", after: -1, limit: 10).map(\.tsMs) == [10, 15])
        #expect(try await store.invites(of: "c").map(\.token) == ["fresh"])
    }

    @Test func removingAUserCascadesWithoutResidue() async throws {
        let store = try SQLiteStore.inMemory()
        _ = try await store.register(username: "gone", machine: "m", pubkey: "k", now: now)
        _ = try await store.createChannel(name: "theirs", visibility: .public, creator: "gone", now: now)
        _ = try await store.createChannel(name: "shared", visibility: .public, creator: "stay", now: now)
        try await store.addMember(channel: "shared", user: "gone")
        try await store.ban(channel: "shared", user: "gone")
        #expect(try await store.removeUser("gone") == ["theirs"])
        #expect(try await store.userExists("gone") == false)
        #expect(try await store.machine(forKey: "k") == nil)
        #expect(try await store.channel(named: "theirs") == nil)
        #expect(try await store.members(of: "shared") == ["stay"])
        #expect(try await store.allBans().isEmpty)
    }

    @Test func theInstanceIDIsStableAcrossReopening() async throws {
        let path = NSTemporaryDirectory() + "conclave-store-" + UUID().uuidString + ".sqlite"
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let first = try await SQLiteStore(path: path).instanceID()
        #expect(first.count == 32)
        #expect(try await SQLiteStore(path: path).instanceID() == first)
    }
}
