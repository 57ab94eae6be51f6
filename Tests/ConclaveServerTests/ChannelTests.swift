import ConclaveIdentity
import ConclaveProtocol
import ConclaveServer
import Testing

@Suite("Channels, visibility, ACL and invites")
struct ChannelTests {
    @Test func whoAndJoinNeverRevealPrivateChannels() async throws {
        try await TestServer.with { server in
            try await server.peer(key: try newKey(), register: "owner") { (owner) async throws in
                #expect(try await owner.request(.admin(.createChannel(name: "secret", visibility: .private))) == .ack(detail: "secret"))
                try await server.peer(key: try newKey(), register: "outsider") { (outsider) async throws in
                    let whoPrivate = try await outsider.request(.who(channel: "secret"))
                    let whoMissing = try await outsider.request(.who(channel: "nothing"))
                    #expect(whoPrivate == .error(.notFound("channel `secret` not found")))
                    #expect(whoMissing == .error(.notFound("channel `nothing` not found")))
                    // G5: joining a missing channel and a refused private one read the same.
                    #expect(try await outsider.request(.join(channel: "secret", token: nil)) == whoPrivate)
                    #expect(try await outsider.request(.join(channel: "nothing", token: nil)) == whoMissing)
                    // G6: admin operations by a non-member do not reveal the channel either.
                    #expect(try await outsider.request(.admin(.aclList(channel: "secret"))) == whoPrivate)
                    #expect(try await outsider.request(.admin(.deleteChannel(name: "secret"))) == whoPrivate)
                    #expect(try await outsider.request(.listChannels) == .channelList(channels: []))
                }
            }
        }
    }

    @Test func publicParticipantsSeeThemselvesAndUnlistedIsJoinableByName() async throws {
        try await TestServer.with { server in
            try await server.peer(key: try newKey(), register: "owner") { (owner) async throws in
                _ = try await owner.request(.admin(.createChannel(name: "lobby", visibility: .public)))
                _ = try await owner.request(.admin(.createChannel(name: "hidden", visibility: .unlisted)))
                try await server.peer(key: try newKey(), register: "guest") { (guest) async throws in
                    #expect(try await guest.request(.join(channel: "lobby", token: nil)) == .joined(channel: "lobby"))
                    #expect(try await guest.request(.who(channel: "lobby")) == .presence(channel: "lobby", sessions: [guest.path]))
                    #expect(try await guest.request(.join(channel: "hidden", token: nil)) == .joined(channel: "hidden"))
                    #expect(try await guest.request(.listChannels)
                        == .channelList(channels: [ChannelInfo(name: "lobby", visibility: .public, member: false)]))
                }
                let ownerList = try await owner.request(.listChannels)
                #expect(ownerList == .channelList(channels: [
                    ChannelInfo(name: "hidden", visibility: .unlisted, member: true),
                    ChannelInfo(name: "lobby", visibility: .public, member: true),
                ]))
            }
        }
    }

    @Test func invitesAdmitExactlyAsManyAsTheyAllow() async throws {
        try await TestServer.with { server in
            try await server.peer(key: try newKey(), register: "owner") { (owner) async throws in
                _ = try await owner.request(.admin(.createChannel(name: "ops", visibility: .private)))
                guard case let .inviteToken(single) = try await owner.request(.admin(.inviteCreate(channel: "ops", uses: 1, expiresInSecs: nil))),
                      case let .inviteToken(double) = try await owner.request(.admin(.inviteCreate(channel: "ops", uses: 2, expiresInSecs: 3600)))
                else { Issue.record("no token"); return }
                #expect(single.count == 32)
                let listed = try await owner.request(.admin(.inviteList(channel: "ops")))
                guard case let .inviteList(invites) = listed else { Issue.record("got \(listed)"); return }
                #expect(invites.map(\.token) == [single, double])
                #expect(invites.map(\.usesRemaining) == [1, 2])

                let outcomes = try await withThrowingTaskGroup(of: ProtocolMessage.self) { group in
                    for index in 0..<3 {
                        group.addTask {
                            try await server.peer(key: try newKey(), register: "guest\(index)") { (guest) async throws in
                                try await guest.request(.join(channel: "ops", token: single))
                            }
                        }
                    }
                    return try await group.reduce(into: [ProtocolMessage]()) { $0.append($1) }
                }
                #expect(outcomes.filter { $0 == .joined(channel: "ops") }.count == 1)
                #expect(outcomes.filter { $0 == .error(.notFound("channel `ops` not found")) }.count == 2)

                var admitted = 0
                for index in 0..<3 {
                    let reply = try await server.peer(key: try newKey(), register: "pair\(index)") { (guest) async throws in
                        try await guest.request(.join(channel: "ops", token: double))
                    }
                    if reply == .joined(channel: "ops") { admitted += 1 }
                }
                #expect(admitted == 2)
                // The redeemers are on the ACL now: the creator, one single-use and two double-use guests.
                guard case let .userList(members) = try await owner.request(.admin(.aclList(channel: "ops"))) else { Issue.record("the reply was not the one this test expects"); return }
                #expect(members.count == 4)
                #expect(members.contains("owner"))
            }
        }
    }

    @Test func concurrentJoinsThroughAnUnlimitedInviteLoseNoMember() async throws {
        try await TestServer.with { server in
            try await server.peer(key: try newKey(), register: "owner") { (owner) async throws in
                _ = try await owner.request(.admin(.createChannel(name: "ops", visibility: .private)))
                guard case let .inviteToken(token) = try await owner.request(.admin(.inviteCreate(channel: "ops", uses: nil, expiresInSecs: nil)))
                else { Issue.record("the reply was not the one this test expects"); return }
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for index in 0..<12 {
                        group.addTask {
                            let reply = try await server.peer(key: try newKey(), register: "u\(index)") { (guest) async throws in
                                try await guest.request(.join(channel: "ops", token: token))
                            }
                            #expect(reply == .joined(channel: "ops"))
                        }
                    }
                    try await group.waitForAll()
                }
                guard case let .userList(members) = try await owner.request(.admin(.aclList(channel: "ops"))) else { Issue.record("the reply was not the one this test expects"); return }
                #expect(members.count == 13)
            }
        }
    }

    @Test func badInvitesAreRefusedAlike() async throws {
        try await TestServer.with { server in
            try await server.peer(key: try newKey(), register: "owner") { (owner) async throws in
                _ = try await owner.request(.admin(.createChannel(name: "ops", visibility: .private)))
                _ = try await owner.request(.admin(.createChannel(name: "other", visibility: .private)))
                guard case let .inviteToken(revoked) = try await owner.request(.admin(.inviteCreate(channel: "ops", uses: nil, expiresInSecs: nil))),
                      case let .inviteToken(elsewhere) = try await owner.request(.admin(.inviteCreate(channel: "other", uses: nil, expiresInSecs: nil)))
                else { Issue.record("the reply was not the one this test expects"); return }
                #expect(try await owner.request(.admin(.inviteRevoke(token: revoked))) == .ack(detail: revoked))
                #expect(try await owner.request(.admin(.inviteCreate(channel: "ops", uses: nil, expiresInSecs: .max)))
                    == .error(.malformedFrame("invite expiry is too far in the future")))
                #expect(try await owner.request(.admin(.inviteCreate(channel: "ops", uses: 0, expiresInSecs: nil)))
                    == .error(.malformedFrame("an invite needs at least one use (omit the count for unlimited)")))
                try await server.peer(key: try newKey(), register: "guest") { (guest) async throws in
                    for token in [revoked, elsewhere, "unknown-token"] {
                        #expect(try await guest.request(.join(channel: "ops", token: token)) == .error(.notFound("channel `ops` not found")))
                    }
                }
            }
        }
    }

    @Test func revokeByANonAdminIsAcknowledgedButChangesNothing() async throws {
        try await TestServer.with { server in
            try await server.peer(key: try newKey(), register: "owner") { (owner) async throws in
                _ = try await owner.request(.admin(.createChannel(name: "ops", visibility: .private)))
                guard case let .inviteToken(token) = try await owner.request(.admin(.inviteCreate(channel: "ops", uses: 1, expiresInSecs: nil)))
                else { Issue.record("the reply was not the one this test expects"); return }
                try await server.peer(key: try newKey(), register: "mallory") { (mallory) async throws in
                    #expect(try await mallory.request(.admin(.inviteRevoke(token: token))) == .ack(detail: token))
                    #expect(try await mallory.request(.admin(.inviteRevoke(token: "nope"))) == .ack(detail: "nope"))
                    #expect(try await mallory.request(.join(channel: "ops", token: token)) == .joined(channel: "ops"))
                }
            }
        }
    }

    @Test func aclAddAdmitsWithoutAToken() async throws {
        try await TestServer.with { server in
            let guestKey = try newKey()
            try await server.peer(key: guestKey, register: "guest") { _ in }
            try await server.peer(key: try newKey(), register: "owner") { (owner) async throws in
                _ = try await owner.request(.admin(.createChannel(name: "ops", visibility: .private)))
                #expect(try await owner.request(.admin(.aclAdd(channel: "ops", user: "guest"))) == .ack(detail: "guest"))
                #expect(try await owner.request(.admin(.aclAdd(channel: "ops", user: "bad/name")))
                    == .error(.malformedFrame("invalid username: `bad/name` (must not contain `/`)")))
                try await server.peer(key: guestKey) { (guest) async throws in
                    #expect(try await guest.request(.join(channel: "ops", token: nil)) == .joined(channel: "ops"))
                    #expect(try await guest.request(.admin(.aclList(channel: "ops"))) == .error(.unauthorized("not authorized: admin role required")))
                }
            }
        }
    }

    @Test func serverAdminsSeeEveryChannel() async throws {
        try await TestServer.with(admins: ["root"]) { server in
            try await server.peer(key: try newKey(), register: "owner") { (owner) async throws in
                _ = try await owner.request(.admin(.createChannel(name: "secret", visibility: .private)))
            }
            try await server.peer(key: try newKey(), register: "root") { (root) async throws in
                #expect(try await root.request(.listChannels)
                    == .channelList(channels: [ChannelInfo(name: "secret", visibility: .private, member: false)]))
                #expect(try await root.request(.admin(.aclList(channel: "secret"))) == .userList(users: ["owner"]))
            }
        }
    }

    @Test func channelNamesAreValidatedAndUnique() async throws {
        try await TestServer.with { server in
            try await server.peer(key: try newKey(), register: "owner") { (owner) async throws in
                for bad in ["", "a/b", "tab\there", " lead"] {
                    guard case .error(.malformedFrame) = try await owner.request(.admin(.createChannel(name: bad, visibility: .public))) else {
                        Issue.record("accepted `\(bad)`"); continue
                    }
                }
                _ = try await owner.request(.admin(.createChannel(name: "ops", visibility: .public)))
                #expect(try await owner.request(.admin(.createChannel(name: "ops", visibility: .private)))
                    == .error(.unauthorized("channel name `ops` is already taken")))
            }
        }
    }

    @Test func userRemovalCascades() async throws {
        try await TestServer.with(admins: ["root"]) { server in
            try await server.peer(key: try newKey(), register: "root") { (root) async throws in
                _ = try await root.request(.admin(.createChannel(name: "shared", visibility: .public)))
                try await server.peer(key: try newKey(), register: "leaver") { (leaver) async throws in
                    _ = try await leaver.request(.admin(.createChannel(name: "mine", visibility: .public)))
                    _ = try await root.request(.admin(.aclAdd(channel: "shared", user: "leaver")))
                    #expect(try await leaver.request(.admin(.userRemove(username: "root"))) == .error(.unauthorized("not authorized: admin role required")))
                    #expect(try await root.request(.admin(.userRemove(username: "leaver"))) == .ack(detail: "leaver"))
                    guard case let .error(.unauthorized(reason)) = try await leaver.next() else { Issue.record("not told"); return }
                    #expect(reason == "user removed from this server")
                }
                #expect(try await root.request(.listChannels) == .channelList(channels: [ChannelInfo(name: "shared", visibility: .public, member: true)]))
                #expect(try await root.request(.admin(.aclList(channel: "shared"))) == .userList(users: ["root"]))
                #expect(try await root.request(.listUsers) == .userList(users: ["root"]))
            }
        }
    }
}
