import ConclaveIdentity
import ConclaveProtocol
import ConclaveServer
import ConclaveTransport
import Testing

@Suite("Kick, ban and ACL removal tell the affected session")
struct ModerationTests {
    static let notice = SessionPath(user: "conclave", machine: "server", session: "notice")

    @Test func kickUnsubscribesButKeepsTheConnection() async throws {
        try await TestServer.with { server in
            try await server.peer(key: try newKey(), register: "owner") { (owner) async throws in
                _ = try await owner.request(.admin(.createChannel(name: "ops", visibility: .public)))
                _ = try await owner.request(.join(channel: "ops", token: nil))
                try await server.peer(key: try newKey(), register: "guest") { (guest) async throws in
                    _ = try await guest.request(.join(channel: "ops", token: nil))
                    #expect(try await owner.request(.admin(.kick(channel: "ops", target: "guest"))) == .ack(detail: "guest"))
                    guard case let .whisper(from, target, .plain(text)) = try await guest.next() else { Issue.record("no notice"); return }
                    #expect(from == Self.notice && target == guest.path)
                    #expect(text.contains("kicked from channel `ops`"))
                    #expect(try await owner.request(.who(channel: "ops")) == .presence(channel: "ops", sessions: [owner.path]))
                    // Still connected, and free to come back.
                    #expect(try await guest.request(.join(channel: "ops", token: nil)) == .joined(channel: "ops"))
                }
            }
        }
    }

    @Test func banUnsubscribesPersistsAndCanBeLifted() async throws {
        try await TestServer.with { server in
            try await server.peer(key: try newKey(), register: "owner") { (owner) async throws in
                _ = try await owner.request(.admin(.createChannel(name: "ops", visibility: .public)))
                try await server.peer(key: try newKey(), register: "guest") { (guest) async throws in
                    _ = try await guest.request(.join(channel: "ops", token: nil))
                    #expect(try await owner.request(.admin(.ban(channel: "ops", user: "guest"))) == .ack(detail: "guest"))
                    guard case let .whisper(_, _, .plain(text)) = try await guest.next() else { Issue.record("no notice"); return }
                    #expect(text.contains("banned from channel `ops`"))
                    #expect(try await guest.request(.join(channel: "ops", token: nil)) == .error(.unauthorized("channel `ops` is private")))
                    #expect(try await guest.request(.admin(.banList(channel: "ops"))) == .error(.unauthorized("not authorized: admin role required")))
                    #expect(try await owner.request(.admin(.banList(channel: "ops"))) == .userList(users: ["guest"]))
                    #expect(try await owner.request(.admin(.unban(channel: "ops", user: "guest"))) == .ack(detail: "guest"))
                    #expect(try await owner.request(.admin(.banList(channel: "ops"))) == .userList(users: []))
                    #expect(try await owner.request(.admin(.aclList(channel: "ops"))) == .userList(users: ["owner"]))
                    #expect(try await guest.request(.join(channel: "ops", token: nil)) == .joined(channel: "ops"))
                }
            }
        }
    }

    @Test func aBannedUserDoesNotLearnAboutAPrivateChannel() async throws {
        try await TestServer.with { server in
            try await server.peer(key: try newKey(), register: "owner") { (owner) async throws in
                _ = try await owner.request(.admin(.createChannel(name: "secret", visibility: .private)))
                _ = try await owner.request(.admin(.ban(channel: "secret", user: "stranger")))
                try await server.peer(key: try newKey(), register: "stranger") { (stranger) async throws in
                    #expect(try await stranger.request(.join(channel: "secret", token: nil)) == .error(.notFound("channel `secret` not found")))
                }
            }
        }
    }

    @Test func deleteAndRenameTellSubscribers() async throws {
        try await TestServer.with { server in
            try await server.peer(key: try newKey(), register: "owner") { (owner) async throws in
                _ = try await owner.request(.admin(.createChannel(name: "ops", visibility: .public)))
                try await server.peer(key: try newKey(), register: "guest") { (guest) async throws in
                    _ = try await guest.request(.join(channel: "ops", token: nil))
                    #expect(try await owner.request(.admin(.renameChannel(name: "ops", newName: "ops2"))) == .ack(detail: "ops2"))
                    guard case let .whisper(_, _, .plain(renamed)) = try await guest.next() else { Issue.record("no notice"); return }
                    #expect(renamed.contains("renamed to `ops2`"))
                    // The subscription followed the rename.
                    #expect(try await guest.request(.channelMessage(channel: "ops2", from: guest.path, payload: .plain("hi"))) == .ack(detail: nil))
                    #expect(try await owner.request(.admin(.deleteChannel(name: "ops2"))) == .ack(detail: "ops2"))
                    guard case let .whisper(_, _, .plain(deleted)) = try await guest.next() else { Issue.record("no notice"); return }
                    #expect(deleted.contains("was deleted"))
                    #expect(try await guest.request(.channelMessage(channel: "ops2", from: guest.path, payload: .plain("hi")))
                        == .error(.unauthorized("not a member of channel `ops2`")))
                }
            }
        }
    }
}

@Suite("Machines, revocation and session lifetime")
struct MachineAndSessionTests {
    @Test func enrolledMachinesAuthenticateAndRevocationDropsTheirSessions() async throws {
        try await TestServer.with { server in
            let laptop = try newKey()
            try await server.peer(key: try newKey(), register: "aaron", machine: "workstation") { (owner) async throws in
                #expect(try await owner.request(.admin(.machineAdd(name: "laptop", pubkey: laptop.publicKey.bytes))) == .ack(detail: "laptop"))
                #expect(try await owner.request(.admin(.machineAdd(name: "short", pubkey: [1, 2, 3])))
                    == .error(.malformedFrame("malformed key or signature: public key must be 32 bytes")))
                #expect(try await owner.request(.admin(.machineAdd(name: "a/b", pubkey: try newKey().publicKey.bytes)))
                    == .error(.malformedFrame("invalid machine name: `a/b` (must not contain `/`)")))
                guard case let .machineList(machines) = try await owner.request(.listMachines) else { Issue.record("the reply was not the one this test expects"); return }
                #expect(machines.map(\.name).sorted() == ["laptop", "workstation"])
                #expect(machines.first { $0.name == "laptop" }?.pubkey == laptop.publicKey.text)
                try await server.peer(key: laptop, session: "one") { (first) async throws in
                    #expect(first.path == SessionPath(user: "aaron", machine: "laptop", session: "one"))
                    try await server.peer(key: laptop, session: "two") { (second) async throws in
                        #expect(try await owner.request(.admin(.machineRemove(name: "laptop"))) == .ack(detail: "laptop"))
                        #expect(try await first.next() == .error(.unauthorized("machine key revoked")))
                        #expect(try await second.next() == .error(.unauthorized("machine key revoked")))
                        #expect(await first.closed())
                    }
                }
            }
            await #expect { try await server.peer(key: laptop) { _ in } } throws: { Self.isUnknownKey($0) }
        }
    }

    /// A revoked key is refused at the handshake as unknown, not by some other failure.
    static func isUnknownKey(_ error: any Error) -> Bool {
        guard case let TransportError.handshakeRejected(_, refusal) = error else { return false }
        return refusal == .unauthorized("unknown machine key")
    }

    @Test func aServerAdminCanRevokeAnotherUsersMachine() async throws {
        try await TestServer.with(admins: ["root"]) { server in
            let victimKey = try newKey()
            try await server.peer(key: victimKey, register: "victim", machine: "lost") { _ in }
            try await server.peer(key: try newKey(), register: "root") { (root) async throws in
                try await server.peer(key: try newKey(), register: "plain") { (plain) async throws in
                    #expect(try await plain.request(.admin(.machineRemove(name: "victim/lost"))) == .error(.unauthorized("not authorized: admin role required")))
                }
                #expect(try await root.request(.admin(.machineRemove(name: "victim/lost"))) == .ack(detail: "victim/lost"))
            }
            await #expect { try await server.peer(key: victimKey) { _ in } } throws: { Self.isUnknownKey($0) }
        }
    }

    /// Revoking an account's last machine leaves a name nobody can sign in to; registering it
    /// again says so and names the admin command that frees it.
    @Test func aNameWhoseEveryMachineWasRevokedSaysWhoCanFreeIt() async throws {
        try await TestServer.with { server in
            try await server.peer(key: try newKey(), register: "lonely", machine: "only") { (peer) async throws in
                try await peer.send(.admin(.machineRemove(name: "only")))
                #expect(try await peer.next() == .ack(detail: "only"))
            }
            let again = try await server.rawRegister(username: "lonely", key: try newKey())
            #expect(again.first == .error(.unauthorized(
                "username `lonely` is already taken by an account with no machine left (every key was revoked); "
                    + "only a server admin can free the name, with `conclave user remove lonely`")))
            let taken = try await server.rawRegister(username: "aaron-taken", key: try newKey())
            #expect(taken.first.map { if case .established = $0 { true } else { false } } == true)
            let plain = try await server.rawRegister(username: "aaron-taken", key: try newKey())
            #expect(plain.first == .error(.unauthorized("username `aaron-taken` is already taken")))
        }
    }

    @Test func revokingTheRequestersOwnMachineAcksBeforeTheTermination() async throws {
        try await TestServer.with { server in
            try await server.peer(key: try newKey(), register: "aaron", machine: "ws") { (peer) async throws in
                try await peer.send(.admin(.machineRemove(name: "ws")))
                #expect(try await peer.next() == .ack(detail: "ws"))
                #expect(try await peer.next() == .error(.unauthorized("machine key revoked")))
                #expect(await peer.closed())
            }
        }
    }

    /// During the shutdown grace the listener still accepts: a client reconnecting at once is
    /// told "going away" too (no Error frame, no session), not given a session that the
    /// listener's own shutdown would later close as normal.
    @Test func aSessionAttachingDuringShutdownIsClosedAtOnce() async throws {
        try await TestServer.with { server in
            try await server.peer(key: try newKey(), register: "early") { (early) async throws in
                await server.runtime.shutdown()
                do {
                    try await server.peer(key: try newKey(), register: "late") { (late) async throws in
                        // Returns at the close; the bound is only for a machine the suite keeps busy.
                        let frame = await late.mailbox.next(within: .seconds(10))
                        #expect(frame == nil, "expected the connection to close with no frame, got \(String(describing: frame))")
                        #expect(await late.mailbox.isClosed)
                    }
                } catch TransportError.closed, TransportError.connectFailed {
                    // On a loaded machine the grace can be over before this connects: the
                    // listener is gone, which gives no session either.
                }
                #expect(await early.mailbox.next(within: .seconds(5)) == nil)
            }
        }
    }

    @Test func shutdownClosesLiveSessionsWithoutAnErrorFrame() async throws {
        try await TestServer.with { server in
            try await server.peer(key: try newKey(), register: "aaron") { (peer) async throws in
                await server.runtime.shutdown()
                // A reference client stops for good on a mid-stream Error; the close must come alone.
                let frame = await peer.mailbox.next(within: .seconds(5))
                #expect(frame == nil, "expected the connection to close with no frame, got \(String(describing: frame))")
                #expect(await peer.mailbox.isClosed)
            }
        }
    }
}

/// The reaper as the running service wires it: a session that keeps pinging outlives the idle
/// timeout, a silent one is cut with the reason (the production code, shorter durations).
@Suite("Idle reaping, end to end")
struct IdleReapingTests {
    @Test func pingsKeepASessionAliveAndSilenceEndsOne() async throws {
        var settings = HubSettings()
        // Roomy enough that a loaded machine's slow round trips never look idle.
        settings.idleTimeout = .seconds(8)
        settings.reapInterval = .milliseconds(100)
        try await TestServer.with(settings: settings) { server in
            try await server.peer(key: try newKey(), register: "talker") { (talker) async throws in
                try await server.peer(key: try newKey(), register: "quiet") { (quiet) async throws in
                    for _ in 0..<20 {
                        try await Task.sleep(for: .milliseconds(500))
                        try await talker.send(.ping)
                        #expect(try await talker.next(within: .seconds(30)) == .pong)
                    }
                    // Ten seconds in: past the 8 s timeout for the silent one only.
                    #expect(try await quiet.next(within: .seconds(30)) == .error(.unauthorized("idle timeout: no heartbeat")))
                    #expect(await quiet.closed())
                    #expect(try await talker.request(.ping) == .pong)
                }
            }
        }
    }
}
