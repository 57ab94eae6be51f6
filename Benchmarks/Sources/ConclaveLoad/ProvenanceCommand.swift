import ArgumentParser
import ConclaveClient
import ConclaveIdentity
import ConclaveProtocol
import ConclaveTransport
import Foundation

/// The cost per message of signing, verifying, encrypting and decrypting against the plain path,
/// on one core: what a sender adds to encode a post, and what a recipient adds to check and open
/// one (a machine whose key is already pinned, fresh nonces, as on a busy channel).
struct ProvenanceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "provenance", abstract: "Cost of signing, verifying, encrypting and decrypting a message against the plain path.")

    @Option var messages = 20_000
    @Option(help: "Body bytes.") var bodyBytes = 200
    @Option(help: "Member machines a rotated channel key is sealed to.") var members = 20

    func run() async throws {
        let key = try SigningKey.generate()
        let sender = SessionPath(user: "alice", machine: "laptop", session: "s1")
        let payload = Payload.plain(String(repeating: "x", count: bodyBytes))
        let directory = NSTemporaryDirectory() + "conclave-provenance-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let verifier = SignatureVerifier(
            serverID: "bench", knownKeys: KnownKeys(path: directory + "/known_keys"), replays: ReplayGuard(capacity: messages + 1))
        let signer = MessageSigner(key: key)
        let count = max(1, messages)
        let start = Int64(Date().timeIntervalSince1970 * 1000)

        // The plain path: encode the post a client sends.
        var bytes = 0
        let plain = ContinuousClock.now
        for _ in 0..<count {
            bytes &+= EncodedFrame(ProtocolMessage.channelMessage(channel: "ops", from: sender, payload: payload)).message.readableBytes
        }
        let plainTime = plain.duration(to: .now)

        var signatures: [MessageSignature] = []
        signatures.reserveCapacity(count)
        let signing = ContinuousClock.now
        for index in 0..<count {
            let signature = try signer.sign(payload, to: .channel("ops"), as: sender, serverID: "bench", nowMs: start + Int64(index % 1000))
            bytes &+= EncodedFrame(ProtocolMessage.channelMessage(channel: "ops", from: sender, payload: payload)).message.readableBytes
            signatures.append(signature)
        }
        let signTime = signing.duration(to: .now)

        var verified = 0
        let verifying = ContinuousClock.now
        for signature in signatures {
            let verdict = verifier.provenance(of: payload, to: .channel("ops"), from: sender, signature: signature, nowMs: start)
            if verdict == .verified { verified += 1 }
        }
        let verifyTime = verifying.duration(to: .now)
        guard verified == count else { throw ValidationError("only \(verified) of \(count) signatures verified") }

        // End-to-end encryption of the body with the channel's sender key, and its opening.
        let channelKey = try ChannelKey.generate()
        let body = Array(String(repeating: "x", count: bodyBytes).utf8)
        let context = Array("ops alice/laptop/s1".utf8)
        var ciphertexts: [[UInt8]] = []
        ciphertexts.reserveCapacity(count)
        let encrypting = ContinuousClock.now
        for _ in 0..<count { ciphertexts.append(try channelKey.encrypt(body, context: context)) }
        let encryptTime = encrypting.duration(to: .now)
        var opened = 0
        let decrypting = ContinuousClock.now
        for ciphertext in ciphertexts where channelKey.decrypt(ciphertext, context: context) != nil { opened += 1 }
        let decryptTime = decrypting.duration(to: .now)
        guard opened == count else { throw ValidationError("only \(opened) of \(count) ciphertexts opened") }

        // A key rotation: a new sender key sealed to each of `members` member machines (what a
        // sender pays when the members change, not per message), timed per member.
        let memberKeys = try (0..<members).map { _ in try AgreementKey.generate().publicKey }
        let memberSet = Set(memberKeys.enumerated().map { ChannelKeyring.Member(machine: "u\($0.offset)/m", agreementKey: $0.element) })
        let rotations = max(1, count / 100)
        var keyring = ChannelKeyring(channel: "ops", machine: "alice/laptop")
        let sealing = ContinuousClock.now
        for round in 0..<rotations {
            // Alternating two member sets makes every call a rotation.
            let set = round.isMultiple(of: 2) ? memberSet : Set(memberSet.dropFirst())
            _ = try keyring.senderKey(for: set)
        }
        let sealTime = sealing.duration(to: .now)
        let sealsMade = Double(rotations) * (Double(members) - 0.5)
        func perMessage(_ duration: Duration) -> Double { Report.rounded(Report.seconds(duration) / Double(count) * 1e6, 2) }
        Report.print([
            "scenario": "provenance", "messages": count, "body_bytes": bodyBytes, "checksum": bytes % 1000,
            "plain_encode_us": perMessage(plainTime),
            "sign_and_encode_us": perMessage(signTime),
            "verify_us": perMessage(verifyTime),
            "encrypt_us": perMessage(encryptTime),
            "decrypt_us": perMessage(decryptTime),
            "rotation_members": members,
            "rotation_us_per_member": Report.rounded(Report.seconds(sealTime) / sealsMade * 1e6, 2),
        ])
    }
}
