import ConclaveIdentity
import ConclaveProtocol
import ConclaveServer
import Testing

@Suite("Posting, whispers and history")
struct MessagingTests {
    @Test func postsReachEveryOtherSubscriberWithTheStampedSender() async throws {
        try await TestServer.with { server in
            let aliceKey = try newKey()
            try await server.peer(key: aliceKey, session: "one", register: "alice") { (alice) async throws in
                _ = try await alice.request(.admin(.createChannel(name: "ops", visibility: .public)))
                _ = try await alice.request(.join(channel: "ops", token: nil))
                try await server.peer(key: aliceKey, session: "two") { (second) async throws in
                    _ = try await second.request(.join(channel: "ops", token: nil))
                    try await server.peer(key: try newKey(), register: "bob") { (bob) async throws in
                        _ = try await bob.request(.join(channel: "ops", token: nil))
                        let forged = SessionPath(user: "mallory", machine: "x", session: "y")
                        let reply = try await alice.request(.channelMessage(channel: "ops", from: forged, payload: .plain("hello, agents")))
                        #expect(reply == .ack(detail: nil))
                        let expected = ProtocolMessage.channelMessage(channel: "ops", from: alice.path, payload: .plain("hello, agents"))
                        #expect(try await bob.next() == expected)
                        // The sender's other session receives it too; the sending session gets no echo.
                        #expect(try await second.next() == expected)
                        try await alice.expectNothingPending()
                    }
                }
            }
        }
    }

    @Test func postingAndReadingNeedASubscriptionWithOneText() async throws {
        try await TestServer.with { server in
            try await server.peer(key: try newKey(), register: "owner") { (owner) async throws in
                _ = try await owner.request(.admin(.createChannel(name: "secret", visibility: .private)))
                try await server.peer(key: try newKey(), register: "outsider") { (outsider) async throws in
                    let privateRead = try await outsider.request(.readSince(channel: "secret", sinceMs: 0))
                    let missingRead = try await outsider.request(.readSince(channel: "nothing", sinceMs: 0))
                    #expect(privateRead == .error(.unauthorized("not a member of channel `secret`")))
                    #expect(missingRead == .error(.unauthorized("not a member of channel `nothing`")))
                    let post = try await outsider.request(.channelMessage(channel: "secret", from: outsider.path, payload: .plain("x")))
                    #expect(post == privateRead)
                }
            }
        }
    }

    @Test func historyReplaysOldestFirstAfterTheWatermark() async throws {
        try await TestServer.with { server in
            try await server.peer(key: try newKey(), register: "alice") { (alice) async throws in
                _ = try await alice.request(.admin(.createChannel(name: "ops", visibility: .public)))
                _ = try await alice.request(.join(channel: "ops", token: nil))
                _ = try await alice.request(.channelMessage(channel: "ops", from: alice.path, payload: .plain("first")))
                try await Task.sleep(for: .milliseconds(5))
                _ = try await alice.request(.channelMessage(channel: "ops", from: alice.path, payload: .plain("second")))
                try await server.peer(key: try newKey(), register: "late") { (late) async throws in
                    _ = try await late.request(.join(channel: "ops", token: nil))
                    guard case let .history("ops", messages) = try await late.request(.readSince(channel: "ops", sinceMs: 0)) else {
                        Issue.record("expected History"); return
                    }
                    #expect(messages.map(\.payload) == [.plain("first"), .plain("second")])
                    #expect(messages.allSatisfy { $0.from == alice.path })
                    let after = try await late.request(.readSince(channel: "ops", sinceMs: messages[0].tsMs))
                    guard case let .history(_, rest) = after else { Issue.record("expected History"); return }
                    #expect(rest.map(\.payload) == [.plain("second")])
                }
            }
        }
    }

    @Test func whispersReachExactlyTheTarget() async throws {
        try await TestServer.with { server in
            try await server.peer(key: try newKey(), register: "alice") { (alice) async throws in
                try await server.peer(key: try newKey(), register: "bob") { (bob) async throws in
                    try await server.peer(key: try newKey(), register: "carol") { (carol) async throws in
                        #expect(try await alice.request(.whisper(from: alice.path, target: bob.path, payload: .plain("psst"))) == .ack(detail: nil))
                        #expect(try await bob.next() == .whisper(from: alice.path, target: bob.path, payload: .plain("psst")))
                        try await carol.expectNothingPending()
                        let ghost = SessionPath(user: "bob", machine: "m1", session: "ghost")
                        #expect(try await alice.request(.whisper(from: alice.path, target: ghost, payload: .plain("?")))
                            == .error(.notFound("session `bob/m1/ghost` is not online")))
                    }
                }
            }
        }
    }

    @Test func encryptedPayloadsAreRelayedAndStoredVerbatim() async throws {
        try await TestServer.with { server in
            try await server.peer(key: try newKey(), register: "alice") { (alice) async throws in
                _ = try await alice.request(.admin(.createChannel(name: "ops", visibility: .public)))
                _ = try await alice.request(.join(channel: "ops", token: nil))
                let sealed = Payload.encrypted(Envelope(ciphertext: [1, 2, 3, 255], keyID: "k1"))
                _ = try await alice.request(.channelMessage(channel: "ops", from: alice.path, payload: sealed))
                guard case let .history(_, messages) = try await alice.request(.readSince(channel: "ops", sinceMs: -1)) else { Issue.record("the reply was not the one this test expects"); return }
                #expect(messages.map(\.payload) == [sealed])
            }
        }
    }
}
