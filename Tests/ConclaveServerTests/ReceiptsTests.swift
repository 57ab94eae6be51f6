import ConclaveIdentity
import ConclaveProtocol
import ConclaveServer
import Testing

/// The `receipts` extension, against the real server over WebSockets: agreed at the upgrade,
/// never shown to a peer that did not ask for it.
@Suite("Receipts extension")
struct ReceiptsTests {
    @Test func theExtensionIsAgreedAtTheUpgradeOnlyWhenAskedFor() async throws {
        try await TestServer.with { server in
            try await server.peer(key: try newKey(), register: "alice", extensions: [.receipts]) { alice async throws in
                #expect(alice.connection.extensions == [.receipts])
            }
            try await server.peer(key: try newKey(), register: "bob") { bob async throws in
                #expect(bob.connection.extensions.isEmpty)
            }
        }
    }

    @Test func postsGetIdsAndRecipientsReportBackToTheSenderOnly() async throws {
        try await TestServer.with { server in
            try await server.peer(key: try newKey(), register: "alice", extensions: [.receipts]) { alice async throws in
                _ = try await alice.request(.admin(.createChannel(name: "ops", visibility: .public)))
                _ = try await alice.request(.join(channel: "ops", token: nil))
                try await server.peer(key: try newKey(), register: "bob", extensions: [.receipts]) { bob async throws in
                    _ = try await bob.request(.join(channel: "ops", token: nil))
                    try await server.peer(key: try newKey(), register: "carol") { carol async throws in
                        _ = try await carol.request(.join(channel: "ops", token: nil))
                        try await alice.send(.channelMessage(channel: "ops", from: alice.path, payload: .plain("status?")))
                        // The sender gets its id, and no update per subscriber (that would multiply
                        // its traffic by the channel's size): the list says who it was handed to.
                        guard case let .posted(messageID) = try await alice.next() else {
                            Issue.record("no id")
                            return
                        }
                        guard case let .receiptList(_, relayed) = try await alice.request(.receiptQuery(id: messageID)) else {
                            Issue.record("no list")
                            return
                        }
                        #expect(Set(relayed.map(\.recipient)) == [bob.path, carol.path] && relayed.allSatisfy { $0.state == .relayed })
                        #expect(relayed.first { $0.recipient == carol.path }?.detail == "its client does not report receipts")
                        // bob speaks receipts: the message carries its id; carol gets plain v1.
                        #expect(try await bob.next() == .taggedChannelMessage(id: messageID, channel: "ops", from: alice.path, payload: .plain("status?")))
                        #expect(try await carol.next() == .channelMessage(channel: "ops", from: alice.path, payload: .plain("status?")))

                        try await bob.send(.receipt(id: messageID, state: .injected, detail: nil))
                        guard case let .receiptUpdate(updatedID, record) = try await alice.next() else {
                            Issue.record("no update")
                            return
                        }
                        #expect(updatedID == messageID && record.recipient == bob.path && record.state == .injected)
                        // Backwards, forged or foreign reports change nothing and get no reply.
                        try await bob.send(.receipt(id: messageID, state: .delivered, detail: nil))
                        try await bob.send(.receipt(id: messageID, state: .relayed, detail: nil))
                        try await bob.send(.receipt(id: 12345, state: .acked, detail: nil))
                        try await bob.expectNothingPending()
                        try await alice.expectNothingPending()
                        try await bob.send(.receipt(id: messageID, state: .acked, detail: "thanks\u{1B}[2J"))
                        guard case let .receiptUpdate(_, acked) = try await alice.next() else {
                            Issue.record("no ack update")
                            return
                        }
                        #expect(acked.state == .acked && acked.detail == "thanks[2J", "controls are removed")

                        // Only the sender's user may read them.
                        guard case let .receiptList(listedID, records) = try await alice.request(.receiptQuery(id: messageID)) else {
                            Issue.record("no list")
                            return
                        }
                        #expect(listedID == messageID)
                        #expect(records.map(\.state).sorted { $0.rawValue < $1.rawValue } == [.relayed, .acked])
                        let foreign = try await bob.request(.receiptQuery(id: messageID))
                        guard case .error(.notFound) = foreign else {
                            Issue.record("bob read alice's receipts: \(foreign)")
                            return
                        }
                    }
                }
            }
        }
    }

    @Test func aPeerWithoutTheExtensionNeverSeesOrUsesIt() async throws {
        try await TestServer.with { server in
            try await server.peer(key: try newKey(), register: "alice") { alice async throws in
                _ = try await alice.request(.admin(.createChannel(name: "ops", visibility: .public)))
                _ = try await alice.request(.join(channel: "ops", token: nil))
                #expect(try await alice.request(.channelMessage(channel: "ops", from: alice.path, payload: .plain("x"))) == .ack(detail: nil))
                for frame in [ProtocolMessage.receipt(id: 1, state: .acked, detail: nil), .receiptQuery(id: 1),
                              .heldWhisper(target: alice.path, payload: .plain("x"), holdSeconds: 5)] {
                    #expect(try await alice.request(frame) == .error(.malformedFrame("unexpected frame from client")), "\(frame.name)")
                }
            }
        }
    }

    @Test func aHeldWhisperWaitsForItsTargetAndWhispersToOfflineSessionsAreRefusedOtherwise() async throws {
        try await TestServer.with { server in
            let bobKey = try newKey()
            try await server.peer(key: bobKey, session: "setup", register: "bob") { _ async throws in }
            try await server.peer(key: try newKey(), register: "alice", extensions: [.receipts]) { alice async throws in
                let target = SessionPath(user: "bob", machine: "m1", session: "agent")
                let refused = try await alice.request(.whisper(from: alice.path, target: target, payload: .plain("now?")))
                guard case .error = refused else {
                    Issue.record("a plain whisper to an offline session must be refused at once: \(refused)")
                    return
                }
                guard case let .posted(id) = try await alice.request(.heldWhisper(target: target, payload: .plain("when you are back"), holdSeconds: 60))
                else {
                    Issue.record("no id for the held whisper")
                    return
                }
                guard case let .receiptList(_, held) = try await alice.request(.receiptQuery(id: id)) else {
                    Issue.record("no receipts")
                    return
                }
                #expect(held.map(\.state) == [.held])
                try await server.peer(key: bobKey, session: "agent") { bob async throws in
                    #expect(try await bob.next() == .whisper(from: alice.path, target: target, payload: .plain("when you are back")))
                    guard case let .receiptUpdate(updated, record) = try await alice.next() else {
                        Issue.record("no relayed update")
                        return
                    }
                    #expect(updated == id && record.state == .relayed && record.recipient == target)
                }
            }
        }
    }
}
