import ConclaveIdentity
import ConclaveProtocol
import ConclaveTransport
import Testing

@Suite("Server handshake state machine")
struct ServerHandshakeStateMachineTests {
    let nonce = [UInt8](repeating: 7, count: 32)

    func machine() -> ServerHandshakeStateMachine { ServerHandshakeStateMachine(nonce: nonce) }

    @Test func authPath() throws {
        let key = try SigningKey.generate()
        var machine = machine()
        #expect(machine.receive(.hello(protocolVersion: 1, session: "razel")) == .sendChallenge(nonce))
        #expect(machine.receive(.auth(pubkey: key.publicKey.bytes, signature: key.sign(nonce))) == .authenticate(key: key.publicKey, session: "razel"))
        #expect(machine.receive(.ping) == .reject(.malformedFrame("unexpected frame from client")))
    }

    @Test func registerPath() throws {
        let key = try SigningKey.generate()
        var machine = machine()
        _ = machine.receive(.hello(protocolVersion: 1, session: "razel"))
        #expect(machine.receive(.register(username: "aaron", machine: "ws", pubkey: key.publicKey.bytes)) == .awaitNextFrame)
        #expect(machine.receive(.auth(pubkey: key.publicKey.bytes, signature: key.sign(nonce)))
            == .register(username: "aaron", machine: "ws", key: key.publicKey, session: "razel"))
    }

    @Test func refusalsInTheReferenceOrder() throws {
        let key = try SigningKey.generate()
        let other = try SigningKey.generate()
        func run(_ frames: [ProtocolMessage]) -> ServerHandshakeStateMachine.Action? {
            var machine = machine()
            var last: ServerHandshakeStateMachine.Action?
            for frame in frames { last = machine.receive(frame) }
            return last
        }
        let hello = ProtocolMessage.hello(protocolVersion: 1, session: "s")
        #expect(run([.ping]) == .reject(.malformedFrame("expected Hello")))
        #expect(run([.hello(protocolVersion: 7, session: "s")]) == .reject(.versionMismatch(ours: 1, theirs: 7)))
        #expect(run([hello, .ping]) == .reject(.malformedFrame("expected Register or Auth")))
        #expect(run([hello, .register(username: "a", machine: "m", pubkey: key.publicKey.bytes), .ping])
            == .reject(.malformedFrame("expected Auth after Register")))
        #expect(run([hello, .register(username: "a", machine: "m", pubkey: key.publicKey.bytes),
                     .auth(pubkey: other.publicKey.bytes, signature: other.sign(nonce))])
            == .reject(.unauthorized("auth key does not match the registered key")))
        #expect(run([hello, .auth(pubkey: [1, 2], signature: key.sign(nonce))])
            == .reject(.malformedFrame("malformed key or signature: public key must be 32 bytes")))
        #expect(run([hello, .auth(pubkey: key.publicKey.bytes, signature: [1])])
            == .reject(.malformedFrame("malformed key or signature: signature must be 64 bytes")))
        #expect(run([hello, .auth(pubkey: key.publicKey.bytes, signature: other.sign(nonce))])
            == .reject(.unauthorized("signature verification failed")))
        #expect(run([.hello(protocolVersion: 1, session: "a/b"), .auth(pubkey: key.publicKey.bytes, signature: key.sign(nonce))])
            == .reject(.malformedFrame("invalid session handle: `a/b` (must not contain `/`)")))
        #expect(run([hello, .register(username: "a/b", machine: "m", pubkey: key.publicKey.bytes),
                     .auth(pubkey: key.publicKey.bytes, signature: key.sign(nonce))])
            == .reject(.malformedFrame("invalid username: `a/b` (must not contain `/`)")))
        #expect(run([hello, .register(username: "a", machine: "", pubkey: key.publicKey.bytes),
                     .auth(pubkey: key.publicKey.bytes, signature: key.sign(nonce))])
            == .reject(.malformedFrame("invalid machine name: `` (must not be empty)")))
    }
}
