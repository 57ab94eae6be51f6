import ConclaveProtocol
import ConclaveStorage
import Foundation
import Testing

/// What every ``ConclaveStore`` must do, run against SQLite and PostgreSQL alike.
@Suite("Store contract")
struct StoreContractTests {
    let now: Int64 = 1_795_000_000_123

    @Test(arguments: StoreKind.allCases)
    func usersAndMachinesAreUnique(_ kind: StoreKind) async throws {
        let now = now
        try await kind.withStore { (store: any ConclaveStore) async throws -> Void in
            #expect(try await store.register(username: "a", machine: "m", pubkey: "k1", nowMs: now) == .registered)
            #expect(try await store.register(username: "a", machine: "m", pubkey: "k2", nowMs: now) == .usernameTaken)
            #expect(try await store.register(username: "A", machine: "m", pubkey: "k2", nowMs: now) == .usernameConfusable(with: "a"))
            #expect(try await store.register(username: "b", machine: "m", pubkey: "k1", nowMs: now) == .keyAlreadyEnrolled)
            #expect(try await store.addMachine(user: "a", name: "m", pubkey: "k3", nowMs: now) == .nameTaken)
            #expect(try await store.addMachine(user: "a", name: "m2", pubkey: "k1", nowMs: now) == .keyAlreadyEnrolled)
            #expect(try await store.register(username: "b", machine: "m", pubkey: "k4", nowMs: now) == .registered)
            #expect(try await store.machine(forKey: "k4") == MachineRecord(user: "b", name: "m", pubkey: "k4", addedAtMs: now))
            #expect(try await store.machines(of: "a").map(\.name) == ["m"])
            #expect(try await store.removeMachine(user: "a", name: "m"))
            #expect(try await store.removeMachine(user: "a", name: "m") == false)
            #expect(try await store.machine(forKey: "k1") == nil)
            #expect(try await store.usernames() == ["a", "b"])
            #expect(try await store.userExists("b"))
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aKeyEnrolledWithoutProofIsTakenBackByItsHolder(_ kind: StoreKind) async throws {
        let now = now
        try await kind.withStore { (store: any ConclaveStore) async throws -> Void in
            _ = try await store.register(username: "mallory", machine: "m", pubkey: "km", nowMs: now)
            #expect(try await store.addMachine(user: "mallory", name: "stolen", pubkey: "kv", nowMs: now) == .added)
            let outcome = try await store.register(username: "victim", machine: "laptop", pubkey: "kv", nowMs: now + 1)
            #expect(outcome == .registeredReclaimingKey(from: MachineRecord(user: "mallory", name: "stolen", pubkey: "kv", addedAtMs: now)))
            #expect(try await store.machine(forKey: "kv")?.user == "victim")
        }
    }

    @Test(arguments: StoreKind.allCases)
    func eachChannelNumbersItsMessagesInOrderSkippingMissingChannels(_ kind: StoreKind) async throws {
        let now = now
        try await kind.withStore { (store: any ConclaveStore) async throws -> Void in
            #expect(try await store.createChannel(name: "a", visibility: .public, creator: "u", nowMs: now) == .done)
            #expect(try await store.createChannel(name: "b", visibility: .public, creator: "u", nowMs: now) == .done)
            #expect(try await store.channel(named: "a") == ChannelRecord(name: "a", visibility: .public, createdBy: "u", createdAtMs: now))
            let landed = try await store.appendMessages([
                NewMessage(channel: "a", sender: "u/m/s", payload: [1], tsMs: 5),
                NewMessage(channel: "gone", sender: "u/m/s", payload: [2], tsMs: 5),
                NewMessage(channel: "b", sender: "u/m/s", payload: [3], tsMs: 5),
                NewMessage(channel: "a", sender: "u/m/s", payload: [4], tsMs: 6),
            ])
            #expect(landed.map { $0?.seq } == [1, nil, 1, 2])
            #expect(landed[0]?.channelID == landed[3]?.channelID)
            #expect(landed[0]?.channelID != landed[2]?.channelID)
            let more = try await store.appendMessage(channel: "a", sender: "u/m/s", payload: [5], tsMs: 7)
            #expect(more?.seq == 3)
            #expect(try await store.messages(in: "a", after: 0, limit: 10).map(\.payload) == [[1], [4], [5]])
            #expect(try await store.messages(in: "b", after: 0, limit: 10).map(\.payload) == [[3]])
            let channelA = try #require(landed[0]?.channelID)
            #expect(try await store.messages(inChannelID: channelA, afterSeq: 1, limit: 10).map(\.seq) == [2, 3])
            #expect(try await store.messages(inChannelID: channelA, afterSeq: 1, limit: 1).map(\.payload) == [[4]])
            let sequences = try await store.channelSequences()
            #expect(sequences.map(\.name).sorted() == ["a", "b"])
            #expect(sequences.first { $0.name == "a" }?.lastSeq == 3)
            #expect(try await store.latestTimestamps() == ["a": 7, "b": 5])
        }
    }

    @Test(arguments: StoreKind.allCases)
    func signaturesAreStoredBesideTheirMessagesAndReadBackBothWays(_ kind: StoreKind) async throws {
        let now = now
        try await kind.withStore { (store: any ConclaveStore) async throws -> Void in
            _ = try await store.createChannel(name: "c", visibility: .public, creator: "u", nowMs: now)
            let signature = [UInt8](repeating: 0x5A, count: 84)
            let landed = try await store.appendMessages([
                NewMessage(channel: "c", sender: "u/m/s", payload: [1], tsMs: 5, signature: signature),
                NewMessage(channel: "c", sender: "u/m/s", payload: [2], tsMs: 6),
            ])
            let byTime = try await store.messages(in: "c", after: 0, limit: 10)
            #expect(byTime.map(\.signature) == [signature, nil])
            let channelID = try #require(landed[0]?.channelID)
            #expect(try await store.messages(inChannelID: channelID, afterSeq: 0, limit: 10).map(\.signature) == [signature, nil])
        }
    }

    @Test(arguments: StoreKind.allCases)
    func endToEndKeysAreFiledOpaquelyAndBounded(_ kind: StoreKind) async throws {
        let now = now
        try await kind.withStore { (store: any ConclaveStore) async throws -> Void in
            _ = try await store.register(username: "a", machine: "m1", pubkey: "ka", nowMs: now)
            _ = try await store.addMachine(user: "a", name: "m2", pubkey: "ka2", nowMs: now)
            _ = try await store.register(username: "b", machine: "m", pubkey: "kb", nowMs: now)
            #expect(try await store.setAgreement(user: "a", machine: "m1", announcement: [1, 2, 3]))
            #expect(try await store.setAgreement(user: "a", machine: "gone", announcement: [4]) == false)
            #expect(try await store.agreements(of: ["a", "b", "a"]) == ["a/m1": [1, 2, 3]])
            #expect(try await store.setAgreement(user: "a", machine: "m1", announcement: [9]))
            #expect(try await store.agreements(of: ["a"]) == ["a/m1": [9]])

            _ = try await store.createChannel(name: "sec", visibility: .private, creator: "a", nowMs: now)
            _ = try await store.createChannel(name: "open", visibility: .public, creator: "a", nowMs: now)
            #expect(try await store.encryptedChannels().isEmpty)
            #expect(try await store.markEncrypted(channel: "sec"))
            #expect(try await store.markEncrypted(channel: "nope") == false)
            #expect(try await store.encryptedChannels() == ["sec"])

            // More shares than are kept from one sender to one recipient: the newest stay.
            let kept = ChannelKeyShare.keptPerPair
            let shares = (0..<(kept + 2)).map { index in
                ChannelKeyShare(sender: "a/m1", recipient: "b/m", keyID: [UInt8(index)], share: [UInt8(index), 0xEE])
            }
            for share in shares { try await store.storeChannelKeys([share], channel: "sec", nowMs: now + Int64(share.keyID[0])) }
            try await store.storeChannelKeys(
                [ChannelKeyShare(sender: "a/m2", recipient: "b/m", keyID: [0], share: [7])], channel: "sec", nowMs: now)
            try await store.storeChannelKeys(
                [ChannelKeyShare(sender: "a/m1", recipient: "a/m2", keyID: [1], share: [8])], channel: "sec", nowMs: now)
            let received = try await store.channelKeys(channel: "sec", recipient: "b/m")
            #expect(received.filter { $0.sender == "a/m1" }.map(\.keyID) == (2..<(kept + 2)).map { [UInt8($0)] })
            #expect(received.filter { $0.sender == "a/m2" }.map(\.share) == [[7]])
            // The same key id again replaces its share.
            try await store.storeChannelKeys(
                [ChannelKeyShare(sender: "a/m2", recipient: "b/m", keyID: [0], share: [6])], channel: "sec", nowMs: now + 100)
            #expect(try await store.channelKeys(channel: "sec", recipient: "b/m").filter { $0.sender == "a/m2" }.map(\.share) == [[6]])
            #expect(try await store.channelKeys(channel: "sec", recipient: "a/m2").map(\.share) == [[8]])
            #expect(try await store.channelKeys(channel: "open", recipient: "b/m").isEmpty)
            // Deleting the channel takes its keys with it.
            #expect(try await store.deleteChannel(named: "sec"))
            #expect(try await store.channelKeys(channel: "sec", recipient: "b/m").isEmpty)
            #expect(try await store.encryptedChannels().isEmpty)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func storedTimesStrictlyIncreaseWithNumbers(_ kind: StoreKind) async throws {
        let now = now
        try await kind.withStore { (store: any ConclaveStore) async throws -> Void in
            _ = try await store.createChannel(name: "c", visibility: .public, creator: "u", nowMs: now)
            _ = try await store.createChannel(name: "d", visibility: .public, creator: "u", nowMs: now)
            // Writers whose clocks disagree (instances on different machines).
            let landed = try await store.appendMessages([
                NewMessage(channel: "c", sender: "u/m/a", payload: [1], tsMs: 100),
                NewMessage(channel: "c", sender: "u/m/b", payload: [2], tsMs: 90),
                NewMessage(channel: "d", sender: "u/m/b", payload: [3], tsMs: 90),
                NewMessage(channel: "c", sender: "u/m/a", payload: [4], tsMs: 100),
            ])
            #expect(landed.map { $0?.tsMs } == [100, 101, 90, 102])
            #expect(try await store.appendMessage(channel: "c", sender: "u/m/b", payload: [5], tsMs: 50)?.tsMs == 103)
            #expect(try await store.appendMessage(channel: "c", sender: "u/m/b", payload: [6], tsMs: 500)?.tsMs == 500)
            #expect(try await store.messages(in: "c", after: 0, limit: 10).map(\.payload) == [[1], [2], [4], [5], [6]])
            #expect(try await store.messages(in: "c", after: 0, limit: 10).map(\.tsMs) == [100, 101, 102, 103, 500])
        }
    }

    @Test(arguments: StoreKind.allCases)
    func concurrentAppendsGetContiguousNumbers(_ kind: StoreKind) async throws {
        let now = now
        try await kind.withStore { (store: any ConclaveStore) async throws -> Void in
            _ = try await store.createChannel(name: "busy", visibility: .public, creator: "u", nowMs: now)
            let numbers = try await withThrowingTaskGroup(of: [Int64].self) { group in
                for writer in 0..<8 {
                    group.addTask {
                        var mine: [Int64] = []
                        for index in 0..<10 {
                            let batch = (0..<3).map { NewMessage(channel: "busy", sender: "u/m/w\(writer)", payload: [UInt8(index), UInt8($0)], tsMs: 1) }
                            mine += try await store.appendMessages(batch).compactMap { $0?.seq }
                        }
                        return mine
                    }
                }
                return try await group.reduce(into: [Int64]()) { $0 += $1 }
            }
            #expect(numbers.sorted() == Array(1...240))
            // Time order is number order, even for writers stamping the same millisecond.
            #expect(try await store.messages(in: "busy", after: 0, limit: 500).map(\.seq) == Array(1...240))
            let channel = try #require(try await store.channelSequences().first)
            #expect(channel.lastSeq == 240)
            #expect(try await store.messages(inChannelID: channel.channelID, afterSeq: 0, limit: 500).map(\.seq) == Array(1...240))
        }
    }

    @Test(arguments: StoreKind.allCases)
    func renameMovesEverythingAndDeleteRemovesEverything(_ kind: StoreKind) async throws {
        let now = now
        try await kind.withStore { (store: any ConclaveStore) async throws -> Void in
            #expect(try await store.createChannel(name: "c", visibility: .private, creator: "a", nowMs: now) == .done)
            #expect(try await store.createChannel(name: "c", visibility: .public, creator: "b", nowMs: now) == .nameTaken)
            try await store.addMember(channel: "c", user: "b")
            try await store.addMember(channel: "c", user: "b")
            try await store.ban(channel: "c", user: "x")
            try await store.createInvite(token: "t", channel: "c", uses: 2, expiresAtMs: nil, creator: "a")
            try await store.appendMessage(channel: "c", sender: "a/m/s", payload: [1], tsMs: 10)
            #expect(try await store.renameChannel(from: "c", to: "d") == .done)
            #expect(try await store.channel(named: "c") == nil)
            #expect(try await store.channel(named: "d")?.visibility == .private)
            #expect(try await store.members(of: "d") == ["a", "b"])
            #expect(try await store.allBans() == [BanRecord(channel: "d", user: "x")])
            #expect(try await store.inviteChannel(token: "t") == "d")
            #expect(try await store.messages(in: "d", after: 0, limit: 10).count == 1)
            #expect(try await store.createChannel(name: "e", visibility: .public, creator: "a", nowMs: now) == .done)
            #expect(try await store.renameChannel(from: "d", to: "e") == .nameTaken)
            #expect(try await store.renameChannel(from: "nope", to: "f") == .notFound)
            try await store.setVisibility(of: "e", to: .unlisted)
            #expect(try await store.channel(named: "e")?.visibility == .unlisted)
            #expect(try await store.channelCounts(createdBy: "a") == ChannelCounts(total: 2, byUser: 2))
            #expect(try await store.deleteChannel(named: "d"))
            #expect(try await store.deleteChannel(named: "d") == false)
            // A new channel with the old name inherits nothing.
            #expect(try await store.createChannel(name: "d", visibility: .public, creator: "z", nowMs: now) == .done)
            #expect(try await store.members(of: "d") == ["z"])
            #expect(try await store.allBans().isEmpty)
            #expect(try await store.inviteChannel(token: "t") == nil)
            #expect(try await store.messages(in: "d", after: 0, limit: 10).isEmpty)
            #expect(try await store.channels().map(\.name) == ["d", "e"])
        }
    }

    @Test(arguments: StoreKind.allCases)
    func redemptionConsumesAtomicallyAndRespectsExpiryAndBans(_ kind: StoreKind) async throws {
        let now = now
        try await kind.withStore { (store: any ConclaveStore) async throws -> Void in
            _ = try await store.createChannel(name: "c", visibility: .private, creator: "a", nowMs: now)
            try await store.createInvite(token: "once", channel: "c", uses: 1, expiresAtMs: nil, creator: "a")
            try await store.createInvite(token: "old", channel: "c", uses: nil, expiresAtMs: 100, creator: "a")
            try await store.createInvite(token: "open", channel: "c", uses: nil, expiresAtMs: nil, creator: "a")
            #expect(try await store.invites(of: "c").map(\.token) == ["once", "old", "open"])
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
            try await store.unban(channel: "c", user: "banned")
            #expect(try await store.allBans().isEmpty)
            try await store.removeMember(channel: "c", user: "w")
            #expect(try await store.memberships(of: "w").isEmpty)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func purgeAndTrimDropOldMessagesAndExpiredInvites(_ kind: StoreKind) async throws {
        let now = now
        try await kind.withStore { (store: any ConclaveStore) async throws -> Void in
            _ = try await store.createChannel(name: "c", visibility: .public, creator: "a", nowMs: now)
            for ts in [5, 10, 15] as [Int64] {
                try await store.appendMessage(channel: "c", sender: "a/m/s", payload: [0, 0], tsMs: ts)
            }
            try await store.createInvite(token: "expired", channel: "c", uses: nil, expiresAtMs: 20, creator: "a")
            try await store.createInvite(token: "fresh", channel: "c", uses: nil, expiresAtMs: 40, creator: "a")
            #expect(try await store.purge(messagesBefore: 10, invitesExpiredBefore: 30) == PurgeCounts(messages: 1, invites: 1))
            #expect(try await store.messages(in: "c", after: -1, limit: 10).map(\.tsMs) == [10, 15])
            #expect(try await store.invites(of: "c").map(\.token) == ["fresh"])
            try await store.appendMessages((0..<6).map { NewMessage(channel: "c", sender: "a/m/s", payload: [UInt8($0)], tsMs: 20 + Int64($0)) })
            #expect(try await store.trimHistory(of: "c", keeping: 3) == 5)
            #expect(try await store.messages(in: "c", after: -1, limit: 10).map(\.payload) == [[3], [4], [5]])
            // Numbers are never reused after trimming.
            #expect(try await store.appendMessage(channel: "c", sender: "a/m/s", payload: [9], tsMs: 99)?.seq == 10)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func removingAUserCascadesWithoutResidue(_ kind: StoreKind) async throws {
        let now = now
        try await kind.withStore { (store: any ConclaveStore) async throws -> Void in
            _ = try await store.register(username: "gone", machine: "m", pubkey: "k", nowMs: now)
            _ = try await store.createChannel(name: "theirs", visibility: .public, creator: "gone", nowMs: now)
            _ = try await store.createChannel(name: "shared", visibility: .public, creator: "stay", nowMs: now)
            try await store.addMember(channel: "shared", user: "gone")
            try await store.ban(channel: "shared", user: "gone")
            try await store.createInvite(token: "theirs-invite", channel: "shared", uses: nil, expiresAtMs: nil, creator: "gone")
            #expect(try await store.removeUser("gone") == ["theirs"])
            #expect(try await store.userExists("gone") == false)
            #expect(try await store.machine(forKey: "k") == nil)
            #expect(try await store.channel(named: "theirs") == nil)
            #expect(try await store.members(of: "shared") == ["stay"])
            #expect(try await store.allBans().isEmpty)
            #expect(try await store.inviteChannel(token: "theirs-invite") == nil)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func theInstanceIDIsCreatedOnceAndKept(_ kind: StoreKind) async throws {
        try await kind.withStore { (store: any ConclaveStore) async throws -> Void in
            let first = try await store.instanceID()
            #expect(first.count == 32)
            #expect(try await store.instanceID() == first)
        }
    }
}
