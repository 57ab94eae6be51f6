@testable import ConclaveServer
import ConclaveIdentity
import ConclaveProtocol
import ConclaveTesting
import ConclaveTransport
import ConclaveClient
import Testing
#if canImport(Glibc)
import Glibc
import ConclaveStorage
import ConclaveSQLite
#endif

/// What a hostile tester broke, kept broken-proof: pre-authentication memory, descriptors,
/// and the channel namespace.
@Suite("Hostile peers: pre-authentication, descriptors, channels")
struct HostilePeerTests {
    func settings(_ configure: (inout ServerLimits) -> Void) -> HubSettings {
        HubSettings.onlyLimits(configure)
    }

    /// `UserList` of `count` empty names: `count` bytes of zeros after the header, which would
    /// decode into `count` strings.
    static func emptyNames(_ count: Int) -> [UInt8] {
        precondition(count < 1 << 32)
        let header: [UInt8] = [UInt8(ProtocolMessage.userList(users: []).wireIndex), 252]
            + withUnsafeBytes(of: UInt32(count).littleEndian, Array.init)
        return header + [UInt8](repeating: 0, count: count)
    }

    @Test func beforeAuthenticationAFrameOverAFewKiBIsNeverAssembled() async throws {
        try await TestServer.with { server in
            // One MiB of "empty names": the old server decoded a million strings, then refused.
            let frames = try await server.rawExchange([Self.emptyNames(1 << 20)], waitFor: .seconds(3))
            #expect(frames.isEmpty, "closed as too large, nothing decoded or answered: \(frames)")
            // A small one is refused by its tag, with the refusal any non-handshake frame gets.
            let small = try await server.rawExchange([Self.emptyNames(1_000)])
            #expect(small == [.error(.malformedFrame("expected Hello"))])
        }
    }

    @Test func afterAuthenticationFramesOnlyServersSendAreRefusedUndecoded() async throws {
        try await TestServer.with { server in
            try await server.peer(key: try newKey(), register: "ann") { ann in
                try await ann.connection.outbound.writeRaw(Self.emptyNames(100_000))
                #expect(try await ann.next() == .error(.malformedFrame("unexpected frame from client")))
                #expect(try await ann.request(.ping) == .pong)
            }
        }
    }

    @Test func connectionsThatNeverSendABytCountFromAcceptPerAddress() async throws {
        try await TestServer.with(settings: settings { $0.unauthenticatedConnectionsPerAddress = 3 }) { server in
            // Three silent connections from one address fill its allowance...
            var silent = try (0..<3).map { _ in try RawSocket(port: server.port, from: "127.0.0.2") }
            try await Task.sleep(for: .milliseconds(200))
            #expect(silent.allSatisfy { !$0.closedByPeer(within: 0) })
            // ...so a fourth is closed at once,
            let fourth = try RawSocket(port: server.port, from: "127.0.0.2")
            #expect(fourth.closedByPeer(within: 3_000))
            // while other addresses register as usual.
            let registered = try await server.rawRegister(username: "real", key: try newKey())
            #expect(registered.first.map { if case .established = $0 { true } else { false } } == true)
            // Once they are gone, that address gets in again.
            silent.removeAll()
            try await Task.sleep(for: .milliseconds(300))
            let later = try RawSocket(port: server.port, from: "127.0.0.2")
            #expect(!later.closedByPeer(within: 500))
        }
    }

    @Test func anUnauthenticatedConnectionIsCutAfterItsByteBudgetEvenInsideAnHTTPRequest() async throws {
        try await TestServer.with { server in
            let socket = try RawSocket(port: server.port, from: "127.0.0.3")
            // A request whose headers never end, larger than the budget.
            socket.send(Array("GET / HTTP/1.1\r\nHost: x\r\nX-Pad: ".utf8) + [UInt8](repeating: UInt8(ascii: "a"), count: 48 * 1024))
            #expect(socket.closedByPeer(within: 3_000))
        }
    }

    @Test func theGlobalCapStaysBelowHalfTheDescriptorsAndRefusalsAreSummarised() {
        var limits = ServerLimits()
        limits.unauthenticatedConnectionsPerAddress = nil
        let admission = AdmissionControl(limits, descriptorLimit: 100)
        #expect(admission.unauthenticatedCap == 50)
        #expect(AdmissionControl(limits, descriptorLimit: 1_000_000).unauthenticatedCap == limits.unauthenticatedConnections)
        for index in 0..<50 { #expect(admission.admitConnection(address: "10.0.0.\(index % 4)")) }
        #expect(!admission.admitConnection(address: "10.0.0.9"))
        #expect(!admission.admitConnection(address: "10.0.0.8"))
        #expect(admission.takeAcceptRefusals()! == (2, 2))
        #expect(admission.takeAcceptRefusals() == nil)
        admission.releaseConnection(address: "10.0.0.1")
        #expect(admission.admitConnection(address: "10.0.0.9"))
    }

    @Test func channelCreationIsRateLimitedAndQuotaBoundPerUserAndServer() async throws {
        try await TestServer.with(settings: settings { $0.channelChangesPerUser = .perMinute(3) }) { server in
            try await server.peer(key: try newKey(), register: "ann") { ann in
                for name in ["a", "b"] { #expect(try await ann.request(.admin(.createChannel(name: name, visibility: .public))) == .ack(detail: name)) }
                #expect(try await ann.request(.admin(.renameChannel(name: "b", newName: "c"))) == .ack(detail: "c"))
                guard case let .error(.internal(text)) = try await ann.request(.admin(.createChannel(name: "d", visibility: .public))) else {
                    Issue.record("the fourth change was not refused")
                    return
                }
                #expect(text.hasPrefix("rate limited: channel creations and renames from user `ann` exceed 3/min"))
            }
        }
        try await TestServer.with(settings: settings { $0.channelsPerUser = 2; $0.channels = 3 }) { server in
            try await server.peer(key: try newKey(), register: "ann") { ann in
                for name in ["a", "b"] { _ = try await ann.request(.admin(.createChannel(name: name, visibility: .private))) }
                #expect(try await ann.request(.admin(.createChannel(name: "c", visibility: .public)))
                    == .error(.internal("limit reached: channels created by user `ann` (at most 2); delete channels you no longer use")))
            }
            try await server.peer(key: try newKey(), register: "bob") { bob in
                #expect(try await bob.request(.admin(.createChannel(name: "c", visibility: .public))) == .ack(detail: "c"))
                #expect(try await bob.request(.admin(.createChannel(name: "d", visibility: .public)))
                    == .error(.internal("limit reached: channels on this server (at most 3); ask an operator to delete unused channels")))
                // Deleting one makes room again.
                _ = try await bob.request(.admin(.deleteChannel(name: "c")))
                #expect(try await bob.request(.admin(.createChannel(name: "d", visibility: .public))) == .ack(detail: "d"))
            }
        }
    }

    @Test func theServerDeclaresTheSenderItReservesForNotices() async throws {
        try await TestServer.with { server in
            let key = try newKey()
            let client = ControlClient(url: try server.url, key: key, session: "s1")
            let declared = try await client.withSession(registration: .init(username: "ann", machine: "m1")) { session in session.noticeSender }
            #expect(declared == .serverNotice)
        }
    }

    @Test func theSoftDescriptorLimitIsRaisedToTheHardOneAtStart() async throws {
        var before = rlimit()
        #expect(getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &before) == 0)
        // Start from a soft limit below the hard one (ample for the tests running alongside).
        if before.rlim_max > 4_096 {
            before.rlim_cur = 4_096
            #expect(setrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &before) == 0)
        }
        try await TestServer.with { _ in
            var limits = rlimit()
            #expect(getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limits) == 0)
            #expect(limits.rlim_cur == limits.rlim_max)
        }
    }
}

@Suite("Revocation during authentication")
struct RevocationRaceTests {
    @Test func aMachineRevokedBetweenKeyLookupAndAttachGetsNoLiveSession() async throws {
        let store = try SQLiteStore.inMemory()
        let hub = Hub(store: store, admins: try AdminAllowlist(parsing: ["root"]), settings: HubSettings(), logger: .init(label: "test"))
        let victimKey = try newKey()
        _ = try await store.register(username: "ann", machine: "laptop", pubkey: victimKey.publicKey.text, nowMs: 0)
        _ = try await store.addMachine(user: "ann", name: "desk", pubkey: try newKey().publicKey.text, nowMs: 0)
        // The runner reads the epoch, looks the key up ...
        let epoch = await hub.revocationEpoch
        let (user, machine) = try await hub.authenticate(key: victimKey.publicKey)
        // ... and meanwhile ann revokes that machine from her other one.
        let desk = ServerSession(path: SessionPath(user: "ann", machine: "desk", session: "d"), isAdmin: false, output: FrameQueue(capacity: 16), now: .now)
        #expect(await hub.attach(desk))
        _ = await hub.handle(.admin(.machineRemove(name: "laptop")), from: desk)
        let late = ServerSession(
            path: SessionPath(user: user, machine: machine, session: "s"), isAdmin: false, output: FrameQueue(capacity: 16), now: .now,
            revocationEpoch: epoch)
        #expect(await !hub.attach(late))
        #expect(late.terminationReason == "machine key revoked")
        #expect(await hub.presence.session(at: late.path) == nil)
        // A session of another machine, or one looked up after the revocation, is unaffected.
        let after = ServerSession(
            path: SessionPath(user: "ann", machine: "desk", session: "e"), isAdmin: false, output: FrameQueue(capacity: 16), now: .now,
            revocationEpoch: epoch)
        #expect(await hub.attach(after))
    }
}

@Suite("Key squatting")
struct KeySquattingTests {
    @Test func enrollingSomeoneElsesKeyNeitherBlocksNorCapturesItsHolder() async throws {
        try await TestServer.with { server in
            let victim = try newKey()
            try await server.peer(key: try newKey(), register: "mallory") { (mallory) async throws in
                #expect(try await mallory.request(.admin(.machineAdd(name: "trap", pubkey: victim.publicKey.bytes))) == .ack(detail: "trap"))
            }
            // The holder's registration succeeds and takes the key back.
            let registered = try await server.rawRegister(username: "victim", key: victim)
            #expect(registered.first == .established(path: SessionPath(user: "victim", machine: "m1", session: "s1")))
            try await server.peer(key: victim, session: "again") { (again) async throws in
                #expect(again.path.user == "victim", "the key signs in to the holder's account, not mallory's")
            }
            try await server.peer(key: try newKey(), register: "mallory2") { _ in }
            // A key proven by registering cannot be enrolled elsewhere, nor registered again.
            try await server.peer(key: try newKey(), register: "eve") { (eve) async throws in
                guard case .error = try await eve.request(.admin(.machineAdd(name: "grab", pubkey: victim.publicKey.bytes))) else {
                    Issue.record("a registered key was enrolled under another account")
                    return
                }
            }
            let again = try await server.rawRegister(username: "other", key: victim)
            #expect(again.first == .error(.malformedFrame("malformed key or signature: public key is already enrolled")))
        }
    }
}
