import ConclaveIdentity
public import ConclaveProtocol
import Synchronization

/// Decides the ``Provenance`` of a received message from its signature and what this machine
/// has seen before.
///
/// The checks, in order: a signature at all (none: unverified); the signature over what arrived,
/// with the server, target and sender as received, under the key the record names (altered:
/// invalid); that key against the one pinned for the sender's machine (another: invalid,
/// loudly; none yet: pinned now); and, for live messages, the timestamp and nonce against
/// replays (invalid). The key in the record is only a claim: it counts because it is the pinned
/// one, or becomes the pinned one the first time it signs for that machine.
public final class SignatureVerifier: Sendable {
    /// How a message reached this machine.
    public enum Arrival: Sendable {
        /// Pushed as it was sent: it must be fresh and never seen before.
        case live
        /// Read back from history (`catch_up`, `tail --since`): old by nature and possibly seen
        /// live already, so only the signature and the pin count.
        case history
    }

    /// The server's instance ID (the `x-conclave-server-id` of the connection), which every
    /// signature covers: a message relayed from another server does not verify here.
    public let serverID: String
    private let knownKeys: KnownKeys
    private let replays: ReplayGuard
    /// Keys the pin file already confirmed, so a busy channel does not read the file per message.
    /// A key that differs from the remembered one is always taken back to the file; a machine
    /// repinned by another process meanwhile is seen here when its new key signs.
    private let confirmed = Mutex<[String: PublicKey]>([:])

    /// A verifier for one server's messages.
    public init(serverID: String, knownKeys: KnownKeys, replays: ReplayGuard) {
        self.serverID = serverID
        self.knownKeys = knownKeys
        self.replays = replays
    }

    /// The provenance of `payload`, received as sent by `sender` to `target` with `signature`.
    public func provenance(
        of payload: Payload, to target: MessageSignature.Target, from sender: SessionPath,
        signature: MessageSignature?, arrival: Arrival = .live, nowMs: Int64
    ) -> Provenance {
        guard let signature else { return .unverified(reason: "not signed") }
        let bytes = MessageSignature.signedBytes(
            serverID: serverID, target: target, sender: sender, timestampMs: signature.timestampMs,
            nonce: signature.nonce, payload: payload)
        guard signature.isWellFormed, let key = try? PublicKey(bytes: signature.publicKey),
              key.verify(signature: signature.signature, for: bytes)
        else {
            return .invalid(reason: "the signature does not match the message as received")
        }
        // Pinned only once a signature verified under it: a key offered with a bad signature
        // (by a hostile server, say) is never pinned.
        let machine = sender.user + "/" + sender.machine
        if confirmed.withLock({ $0[machine] }) != key {
            do {
                switch try knownKeys.check(key, server: serverID, user: sender.user, machine: sender.machine) {
                case .matches, .pinnedNow:
                    confirmed.withLock { $0[machine] = key }
                case let .changed(pinned):
                    return .invalid(reason: "the key of \(machine) changed (pinned \(pinned.text), now \(key.text))")
                }
            } catch {
                return .unverified(reason: "the pinned keys could not be read: \(error)")
            }
        }
        guard arrival == .live else { return .verified }
        switch replays.admit(sender: sender, timestampMs: signature.timestampMs, nonce: signature.nonce, nowMs: nowMs) {
        case nil:
            return .verified
        case .replayed?:
            return .invalid(reason: "a replay of a message already received")
        case let .outsideWindow(skew)?:
            return .invalid(reason: "signed \(skew.magnitude / 1000) s \(skew < 0 ? "ago" : "ahead"), outside the replay window")
        }
    }
}
