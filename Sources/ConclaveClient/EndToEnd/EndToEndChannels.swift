public import ConclaveIdentity
public import ConclaveProtocol
import Foundation

/// End-to-end encrypted channels on one connection to one server, for this machine: what a
/// client (`send`, `tail`, the bridge) needs to encrypt a post for the channel's member machines
/// and to open what others posted.
///
/// Keys never come from the server's word alone. A member machine's X25519 key counts only when
/// its announcement is signed by that machine's Ed25519 key, and that key is the one pinned for
/// the machine (`known_keys`, first use pins it). A channel key shared with this machine counts
/// only when its share is signed by the sending machine's pinned key. Channel keyrings live in a
/// private file per server (``ChannelKeyringFile``).
public struct EndToEndChannels: Sendable {
    /// A post made ready to send: the key shares to file first (when the sender key is new), and
    /// the encrypted payload.
    public struct Sealed: Sendable {
        /// `ShareChannelKey`, to send (and see acknowledged) before the post; `nil` when every
        /// member machine already holds the key.
        public var shares: ProtocolMessage?
        /// The envelope to post.
        public var payload: Payload
        /// Member machines that will not be able to read it, and why (no verified key yet, or a
        /// changed machine key).
        public var unreadableBy: [String]
    }

    /// The server's instance ID everything is bound to.
    public let serverID: String
    /// This session's path.
    public let path: SessionPath
    private let signingKey: SigningKey
    private let agreementKey: AgreementKey
    private let knownKeys: KnownKeys
    private let keyrings: ChannelKeyringFile

    /// This machine, `user/machine`.
    public var machine: String { path.user + "/" + path.machine }

    /// Channels on `serverID` for the session at `path`.
    public init(
        serverID: String, path: SessionPath, signingKey: SigningKey, agreementKey: AgreementKey, knownKeys: KnownKeys,
        keyrings: ChannelKeyringFile
    ) {
        self.serverID = serverID
        self.path = path
        self.signingKey = signingKey
        self.agreementKey = agreementKey
        self.knownKeys = knownKeys
        self.keyrings = keyrings
    }

    /// Channels for `session` when it agreed to `e2e` and the server named itself (`nil`
    /// otherwise), with this machine's keys from `directory` (the X25519 key is made on first use).
    public init?(session: ControlSession, key: SigningKey, directory: ConfigDirectory) throws(IdentityError) {
        guard session.extensions.contains(.e2e), let serverID = session.serverID else { return nil }
        self.init(
            serverID: serverID, path: session.path, signingKey: key,
            agreementKey: try KeyStore(directory: directory).loadOrCreateAgreementKey().key,
            knownKeys: KnownKeys(path: directory.knownKeysPath),
            keyrings: ChannelKeyringFile(path: Self.keyringPath(in: directory, serverID: serverID)))
    }

    /// Where the keyrings of channels on `serverID` are kept: one file per server, since channel
    /// names are only unique per server. The ID is the server's word, so it is hex-encoded into
    /// the name rather than trusted as a path.
    public static func keyringPath(in directory: ConfigDirectory, serverID: String) -> String {
        let name = serverID.utf8.map { String(format: "%02x", $0) }.joined()
        return directory.path + "/channel-keys/" + String(name.prefix(128)) + ".json"
    }

    /// This machine's X25519 key, announced under its machine key: sent on every connection, so
    /// members can seal channel keys to it.
    public func announcement(nowMs: Int64) -> ProtocolMessage {
        .publishAgreement(announcement: AgreementAnnouncement.make(
            for: agreementKey, signedBy: signingKey, serverID: serverID, user: path.user, machine: path.machine, nowMs: nowMs))
    }

    /// Encrypts `text` for `channel`'s member machines as `MemberKeys` listed them. A new sender
    /// key is made (and its shares returned) whenever the verified member machines differ from
    /// those the current key went to: one removed never gets the new key, one added gets only it.
    public func seal(_ text: String, to channel: String, members listed: [MemberMachine], nowMs: Int64) throws -> Sealed {
        var members: Set<ChannelKeyring.Member> = []
        var unreadable: [String] = []
        for member in listed {
            let name = member.user + "/" + member.machine
            guard name != machine else { continue }
            switch verifiedAgreement(of: member) {
            case let .success(key): members.insert(ChannelKeyring.Member(machine: name, agreementKey: key))
            case let .failure(reason): unreadable.append("\(name): \(reason.text)")
            }
        }
        var keyring = try keyrings.load(channel: channel, machine: machine)
        let (key, distribution) = try keyring.senderKey(for: members)
        let envelope = try keyring.encrypt(text, with: key, as: path)
        try keyrings.save(keyring)
        var shares: ProtocolMessage?
        if let distribution, !distribution.copies.isEmpty {
            shares = .shareChannelKey(channel: channel, keys: distribution.copies.sorted { $0.key < $1.key }.map { recipient, sealed in
                var share = SealedChannelKey(
                    recipient: recipient, keyID: distribution.keyID, sealed: sealed, createdMs: nowMs, publicKey: signingKey.publicKey.bytes,
                    signature: [])
                share.signature = signingKey.sign(share.signedBytes(serverID: serverID, channel: channel, sender: machine))
                return share
            })
        }
        return Sealed(shares: shares, payload: .encrypted(envelope), unreadableBy: unreadable)
    }

    /// Takes the channel keys shared with this machine; returns why any was refused (a share not
    /// signed by its sender machine's pinned key, or one that does not open).
    @discardableResult
    public func accept(_ shared: [SharedChannelKey], in channel: String) throws -> [String] {
        var keyring = try keyrings.load(channel: channel, machine: machine)
        var refused: [String] = []
        for entry in shared where entry.key.recipient == machine {
            let parts = entry.sender.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 2, let key = try? PublicKey(bytes: entry.key.publicKey),
                key.verify(signature: entry.key.signature, for: entry.key.signedBytes(serverID: serverID, channel: channel, sender: entry.sender))
            else {
                refused.append("\(entry.sender): a key share not signed by its sender")
                continue
            }
            if case let .changed(pinned) = try knownKeys.check(key, server: serverID, user: parts[0], machine: parts[1]) {
                refused.append("\(entry.sender): a key share under another key than the one pinned (\(pinned.text))")
                continue
            }
            if !keyring.accept(entry.key.sealed, from: entry.sender, with: agreementKey) {
                refused.append("\(entry.sender): a key share that does not open with this machine's key")
            }
        }
        try keyrings.save(keyring)
        return refused
    }

    /// The text of an encrypted `payload` posted by `sender` in `channel`; `nil` when no key this
    /// machine holds opens it (fetch the channel's keys, then ask again).
    public func open(_ payload: Payload, in channel: String, from sender: SessionPath) -> String? {
        guard case let .encrypted(envelope) = payload, let keyring = try? keyrings.load(channel: channel, machine: machine) else { return nil }
        return keyring.decrypt(envelope, from: sender)
    }

    /// What to show for an envelope that no key this machine holds opens, even after fetching.
    public static let unreadable = "end-to-end encrypted: no key on this machine opens it (sent before this machine was a member, after it left, or altered)"

    /// The X25519 key of a member machine, if its announcement checks out against the machine key
    /// pinned for it.
    private func verifiedAgreement(of member: MemberMachine) -> Result<[UInt8], Reason> {
        guard let key = try? PublicKey(bytes: member.signingKey) else { return .failure(Reason("no valid machine key listed")) }
        do {
            if case let .changed(pinned) = try knownKeys.check(key, server: serverID, user: member.user, machine: member.machine) {
                return .failure(Reason("its machine key changed (pinned \(pinned.text), listed \(key.text)); not sealed to it"))
            }
        } catch {
            return .failure(Reason("the pinned keys could not be read: \(error)"))
        }
        guard let agreement = member.agreement else {
            return .failure(Reason("no encryption key published yet (it has not connected with an end-to-end capable client)"))
        }
        guard agreement.isWellFormed, agreement.isSigned(by: key, serverID: serverID, user: member.user, machine: member.machine) else {
            return .failure(Reason("its encryption key is not signed by its machine key"))
        }
        return .success(agreement.publicKey)
    }

    /// Why a member machine is left out.
    private struct Reason: Error {
        let text: String
        init(_ text: String) { self.text = text }
    }
}
