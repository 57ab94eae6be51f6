import ConclaveIdentity
import ConclaveProtocol
import ConclaveTesting
import ConclaveServer
import ConclaveTransport
import Testing

@Suite("Handshake, registration and authentication over WebSockets")
struct HandshakeTests {
    @Test func registerEstablishesAndTheSameKeyAuthenticatesUnderAnotherHandle() async throws {
        try await TestServer.with { server in
            let key = try newKey()
            try await server.peer(key: key, session: "razel", register: "aaron", machine: "workstation") { (first) async throws in
                #expect(first.path == SessionPath(user: "aaron", machine: "workstation", session: "razel"))
                try await server.peer(key: key, session: "other") { (second) async throws in
                    #expect(second.path == SessionPath(user: "aaron", machine: "workstation", session: "other"))
                    guard case let .presence(nil, sessions) = try await second.request(.who(channel: nil)) else {
                        Issue.record("expected Presence"); return
                    }
                    #expect(Set(sessions) == [first.path, second.path])
                }
            }
        }
    }

    @Test func aTakenUsernameIsRefused() async throws {
        try await TestServer.with { server in
            try await server.peer(key: try newKey(), register: "aaron") { _ in }
            await #expect(throws: TransportError.self) {
                try await server.peer(key: try newKey(), register: "aaron") { _ in }
            }
            let received = try await server.rawRegister(username: "aaron", key: try newKey())
            #expect(received.last == .error(.unauthorized("username `aaron` is already taken")))
        }
    }

    @Test func theSamePathSupersedesTheOlderSession() async throws {
        try await TestServer.with { server in
            let key = try newKey()
            try await server.peer(key: key, session: "fleet", register: "aaron") { (old) async throws in
                try await server.peer(key: key, session: "fleet") { (new) async throws in
                    #expect(new.path == old.path)
                    let frame = try await old.next()
                    guard case let .error(.unauthorized(reason)) = frame else { Issue.record("got \(frame)"); return }
                    #expect(reason.contains("superseded"))
                    #expect(await old.closed())
                    try await new.expectNothingPending()
                }
            }
        }
    }

    @Test func unknownKeysAndBadSignaturesAreRefused() async throws {
        try await TestServer.with { server in
            await #expect(throws: TransportError.self) {
                try await server.peer(key: try newKey()) { _ in }
            }
            let unknown = try await server.rawAuth(key: try newKey())
            #expect(unknown.last == .error(.unauthorized("unknown machine key")))
            let badSignature = try await server.rawAuth(key: try newKey(), signWrongBytes: true)
            #expect(badSignature.last == .error(.unauthorized("signature verification failed")))
        }
    }

    @Test func failedRegistrationsLeaveNothingBehind() async throws {
        try await TestServer.with { server in
            let attacker = try newKey()
            let badSignature = try await server.rawRegister(username: "aaron", key: attacker, signWrongBytes: true)
            #expect(badSignature.last == .error(.unauthorized("signature verification failed")))
            let otherKey = try await server.rawRegister(username: "aaron", key: attacker, authKey: try newKey())
            #expect(otherKey.last == .error(.unauthorized("auth key does not match the registered key")))
            // G3: a bad handle is refused before anything is written.
            let badHandle = try await server.rawRegister(username: "aaron", key: attacker, session: "a/b")
            guard case let .error(.malformedFrame(text))? = badHandle.last else { Issue.record("got \(badHandle)"); return }
            #expect(text.hasPrefix("invalid session handle: `a/b`"))
            // The name is still free and the attacker's key is not enrolled.
            await #expect(throws: TransportError.self) { try await server.peer(key: attacker) { _ in } }
            try await server.peer(key: try newKey(), register: "aaron") { (peer) async throws in #expect(peer.path.user == "aaron") }
        }
    }

    @Test(arguments: ["a/b", "", " padded", "bell\u{7}", "conclave"])
    func invalidOrReservedUsernamesAreRefused(_ username: String) async throws {
        try await TestServer.with { server in
            let received = try await server.rawRegister(username: username, key: try newKey())
            guard case let .error(error)? = received.last else { Issue.record("got \(received)"); return }
            #expect("\(error)".contains("username"))
        }
    }

    @Test func pinnedAdminNamesNeedTheirKey() async throws {
        let admin = try newKey()
        try await TestServer.with(admins: ["root=\(admin.publicKey.text)"]) { server in
            let impostor = try await server.rawRegister(username: "root", key: try newKey())
            #expect(impostor.last == .error(.unauthorized("username `root` is reserved for a different key")))
            try await server.peer(key: admin, register: "root") { (peer) async throws in
                let users = try await peer.request(.listUsers)
                #expect(users == .userList(users: ["root"]))
            }
        }
    }

    @Test func wrongFirstFramesAndVersionsAreExplained() async throws {
        try await TestServer.with { server in
            #expect(try await server.rawExchange([ProtocolMessage.ping.wireBytes]) == [.error(.malformedFrame("expected Hello"))])
            let version2 = try await server.rawExchange([ProtocolMessage.hello(protocolVersion: 2, session: "s").wireBytes])
            #expect(version2 == [.error(.versionMismatch(ours: 1, theirs: 2))])
            let afterHello = try await server.rawExchange([
                ProtocolMessage.hello(protocolVersion: 1, session: "s").wireBytes, ProtocolMessage.ping.wireBytes,
            ])
            #expect(afterHello.last == .error(.malformedFrame("expected Register or Auth")))
        }
    }

    @Test func aSilentConnectionIsCutAtTheHandshakeDeadline() async throws {
        var settings = HubSettings()
        settings.handshakeDeadline = .milliseconds(300)
        try await TestServer.with(settings: settings) { server in
            let received = try await server.rawExchange([], waitFor: .seconds(10))
            #expect(received == [.error(.unauthorized("handshake timed out"))])
        }
    }

    @Test func concurrentRegistrationsOfOneNameHaveExactlyOneWinner() async throws {
        try await TestServer.with { server in
            let outcomes = try await withThrowingTaskGroup(of: ProtocolMessage?.self) { group in
                for _ in 0..<8 {
                    group.addTask { try await server.rawRegister(username: "contested", key: try newKey()).first }
                }
                return try await group.reduce(into: [ProtocolMessage?]()) { $0.append($1) }
            }
            let winners = outcomes.filter { if case .established? = $0 { true } else { false } }
            #expect(winners.count == 1)
            #expect(outcomes.filter { $0 == .error(.unauthorized("username `contested` is already taken")) }.count == 7)
        }
    }

    @Test func hostileFramesGetAnErrorAndTheServerSurvives() async throws {
        try await TestServer.with { server in
            // The 11-byte frame that aborts the reference, before authentication.
            let hostile = try await server.rawExchange([[0x00, 0x01, 0xFD, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00]])
            guard case let .error(.malformedFrame(text))? = hostile.first else { Issue.record("got \(hostile)"); return }
            #expect(text.contains("undecodable"))
            // An oversized WebSocket message ends that connection, with no reply, and only it.
            try await server.peer(key: try newKey(), register: "oversized") { (peer) async throws in
                try await peer.connection.outbound.writeRaw([UInt8](repeating: 0x12, count: FrameLimits.maxFrameBytes + 1))
                let frame = await peer.mailbox.next(within: .seconds(10))
                #expect(frame == nil, "expected the connection to end, got \(String(describing: frame))")
                #expect(await peer.mailbox.isClosed)
            }
            try await server.peer(key: try newKey(), register: "survivor") { (peer) async throws in
                // After the handshake, garbage gets MalformedFrame and a close.
                try await peer.connection.outbound.writeRaw([0xFF, 0xFF])
                guard case .error(.malformedFrame) = try await peer.next() else { Issue.record("expected MalformedFrame"); return }
                #expect(await peer.closed())
            }
            try await server.peer(key: try newKey(), register: "another") { (peer) async throws in
                let pong = try await peer.request(.ping)
                #expect(pong == .pong)
            }
        }
    }
}

extension HandshakeTests {
    /// A plain `GET /` is told what this is (426 Upgrade Required), not left hanging or given 404.
    @Test func aPlainHTTPGetIsToldToUpgrade() async throws {
        try await TestServer.with { server in
            let url = try server.url
            let reply = try await RawSocket.httpGet(host: url.host, port: url.port, path: "/")
            #expect(reply.hasPrefix("HTTP/1.1 426"), "\(reply.prefix(80))")
            #expect(reply.contains("This is a Conclave server"))
        }
    }

    /// The protocol uses binary messages only; a text message is ignored and the session goes on.
    @Test func aTextMessageIsIgnored() async throws {
        try await TestServer.with { server in
            try await server.peer(key: try newKey(), register: "texter") { (peer) async throws in
                try await peer.connection.outbound.writeText("hello?")
                try await peer.expectNothingPending()
                #expect(try await peer.request(.ping) == .pong)
            }
        }
    }
}
