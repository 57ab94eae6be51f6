import ConclaveClient
import ConclaveIdentity
import ConclaveProtocol
import Foundation
import Testing

/// Signed messages checked the way a recipient checks them, with a hostile relay in mind: what a
/// server could rewrite (the body, `from`, the target, the server) or replay must not verify, and
/// a machine whose key changes is reported.
@Suite("Message signatures and provenance")
struct ProvenanceTests {
    let alice = SessionPath(user: "alice", machine: "laptop", session: "s1")
    let bob = SessionPath(user: "bob", machine: "ws", session: "s2")
    let now: Int64 = 1_770_000_000_000

    /// A verifier with its own pin file in a fresh directory.
    static func verifier(server: String = "server-1", directory: String = Self.freshDirectory()) -> SignatureVerifier {
        SignatureVerifier(serverID: server, knownKeys: KnownKeys(path: directory + "/known_keys"), replays: ReplayGuard())
    }

    static func freshDirectory() -> String {
        let path = NSTemporaryDirectory() + "conclave-pins-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test func aSignedMessageVerifiesOnceAndItsReplayDoesNot() throws {
        let key = try SigningKey.generate()
        let verifier = Self.verifier()
        let payload = Payload.plain("deploy at five")
        let signature = try MessageSigner(key: key).sign(payload, to: .channel("ops"), as: alice, serverID: "server-1", nowMs: now)
        let first = verifier.provenance(of: payload, to: .channel("ops"), from: alice, signature: signature, nowMs: now + 50)
        #expect(first == .verified)
        let replay = verifier.provenance(of: payload, to: .channel("ops"), from: alice, signature: signature, nowMs: now + 90)
        guard case .invalid = replay else { Issue.record("a replay verified: \(replay)"); return }
    }

    @Test func whatARelayCouldRewriteDoesNotVerify() throws {
        let key = try SigningKey.generate()
        let payload = Payload.plain("deploy at five")
        let signature = try MessageSigner(key: key).sign(payload, to: .channel("ops"), as: alice, serverID: "server-1", nowMs: now)
        let rewritten: [(String, SignatureVerifier, Payload, MessageSignature.Target, SessionPath)] = [
            ("body", Self.verifier(), .plain("deploy at six"), .channel("ops"), alice),
            ("from", Self.verifier(), payload, .channel("ops"), SessionPath(user: "alice", machine: "laptop", session: "other")),
            ("target", Self.verifier(), payload, .channel("general"), alice),
            ("target kind", Self.verifier(), payload, .session(bob), alice),
            ("server", Self.verifier(server: "server-2"), payload, .channel("ops"), alice),
        ]
        for (what, verifier, body, target, sender) in rewritten {
            let verdict = verifier.provenance(of: body, to: target, from: sender, signature: signature, nowMs: now)
            guard case .invalid = verdict else { Issue.record("rewritten \(what) verified: \(verdict)"); continue }
        }
    }

    @Test func timestampsOutsideTheWindowAreRefused() throws {
        let key = try SigningKey.generate()
        let payload = Payload.plain("old news")
        let old = try MessageSigner(key: key).sign(payload, to: .channel("ops"), as: alice, serverID: "server-1", nowMs: now - 10 * 60 * 1000)
        let verdict = Self.verifier().provenance(of: payload, to: .channel("ops"), from: alice, signature: old, nowMs: now)
        #expect(verdict.mark == "invalid")
    }

    @Test func unsignedMessagesAreUnverifiedNotErrors() throws {
        let verifier = Self.verifier()
        #expect(verifier.provenance(of: .plain("hi"), to: .channel("ops"), from: alice, signature: nil, nowMs: now).mark == "unverified")
    }

    @Test func historyChecksTheSignatureAndThePinButNotFreshness() throws {
        let key = try SigningKey.generate()
        let verifier = Self.verifier()
        let payload = Payload.plain("from yesterday")
        let old = try MessageSigner(key: key).sign(payload, to: .channel("ops"), as: alice, serverID: "server-1", nowMs: now - 86_400_000)
        // Read back twice (catch_up, then tail --since): verified both times.
        for _ in 0..<2 {
            #expect(verifier.provenance(of: payload, to: .channel("ops"), from: alice, signature: old, arrival: .history, nowMs: now) == .verified)
        }
        // The same message pushed live is stale.
        #expect(verifier.provenance(of: payload, to: .channel("ops"), from: alice, signature: old, nowMs: now).mark == "invalid")
        // And history rewritten by the server still fails.
        #expect(verifier.provenance(of: .plain("altered"), to: .channel("ops"), from: alice, signature: old, arrival: .history, nowMs: now).mark == "invalid")
    }

    @Test func aSwappedKeyIsReportedAndABadSignatureNeverPinsItsKey() throws {
        let directory = Self.freshDirectory()
        let genuine = try SigningKey.generate()
        let impostor = try SigningKey.generate()
        let verifier = Self.verifier(directory: directory)
        // First a forged message offering the impostor's key with a signature that does not
        // match: refused, and the impostor's key is not pinned by it.
        let forged = MessageSignature(
            timestampMs: now, nonce: [UInt8](repeating: 7, count: 16), publicKey: [UInt8](repeating: 1, count: 32),
            signature: [UInt8](repeating: 0, count: 64))
        #expect(verifier.provenance(of: .plain("x"), to: .channel("ops"), from: alice, signature: forged, nowMs: now).mark == "invalid")
        // The genuine machine's message pins its key.
        let real = try MessageSigner(key: genuine).sign(.plain("hello"), to: .channel("ops"), as: alice, serverID: "server-1", nowMs: now)
        #expect(verifier.provenance(of: .plain("hello"), to: .channel("ops"), from: alice, signature: real, nowMs: now) == .verified)
        // Now the server swaps the machine's key: a well-signed message under another key.
        let swapped = try MessageSigner(key: impostor).sign(.plain("rm -rf"), to: .channel("ops"), as: alice, serverID: "server-1", nowMs: now)
        let verdict = verifier.provenance(of: .plain("rm -rf"), to: .channel("ops"), from: alice, signature: swapped, nowMs: now)
        guard case let .invalid(reason) = verdict else { Issue.record("a swapped key verified: \(verdict)"); return }
        #expect(reason.contains("changed"))
        // The pin survives in the file, private to this user.
        let attributes = try FileManager.default.attributesOfItem(atPath: directory + "/known_keys")
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        #expect(try String(contentsOfFile: directory + "/known_keys", encoding: .utf8).contains(genuine.publicKey.text))
    }

    @Test func aMalformedPinFileIsReportedAndLeftAlone() throws {
        let directory = Self.freshDirectory()
        let path = directory + "/known_keys"
        let garbage = "server-1 alice laptop not-a-key\n"
        try garbage.write(toFile: path, atomically: true, encoding: .utf8)
        let keys = KnownKeys(path: path)
        #expect(throws: KnownKeys.Failure.self) {
            try keys.check(try SigningKey.generate().publicKey, server: "server-1", user: "alice", machine: "laptop")
        }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == garbage)
        #expect(throws: KnownKeys.Failure.self) {
            try keys.check(try SigningKey.generate().publicKey, server: "server 1", user: "alice", machine: "laptop")
        }
    }

    @Test func theReplayGuardForgetsOnlyItsOldestNoncesWhenFull() {
        let guardian = ReplayGuard(windowMs: 60_000, capacity: 3)
        let nonces = (0..<5).map { [UInt8](repeating: UInt8($0), count: 16) }
        for nonce in nonces { #expect(guardian.admit(sender: alice, timestampMs: now, nonce: nonce, nowMs: now) == nil) }
        // The last three are remembered; the first two were forgotten to stay within capacity.
        #expect(guardian.admit(sender: alice, timestampMs: now, nonce: nonces[4], nowMs: now) == .replayed)
        #expect(guardian.admit(sender: alice, timestampMs: now, nonce: nonces[0], nowMs: now) == nil)
        // Another sender's identical nonce is its own.
        #expect(guardian.admit(sender: bob, timestampMs: now, nonce: nonces[4], nowMs: now) == nil)
    }

    @Test func theSignedEncodingIsStable() {
        // Golden bytes (Docs/PROTOCOL.md, "Extension: signatures"): any change to the encoding
        // would break every signature already made.
        let bytes = MessageSignature.signedBytes(
            serverID: "srv", target: .channel("ops"), sender: SessionPath(user: "a", machine: "m", session: "s"),
            timestampMs: 1_000, nonce: [UInt8](repeating: 0xAB, count: 16), payload: .plain("hi"))
        let hex = bytes.map { String(format: "%02x", $0) }.joined()
        #expect(hex == Self.goldenSignedBytes, "\(hex)")
    }

    static let goldenSignedBytes =
        "636f6e636c6176652f6d6573736167652d7369676e61747572652f763100" + "03737276" + "00" + "036f7073"
        + "0161016d0173" + "fbd007" + "10abababababababababababababababab" + "00026869"
}
