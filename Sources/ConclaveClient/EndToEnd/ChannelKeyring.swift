public import ConclaveIdentity
public import ConclaveProtocol

/// One end-to-end encrypted channel's keys, on one machine: the sender key it encrypts its own
/// posts with, and the keys other members' machines shared with it.
///
/// Sans-I/O: it says what to send (a ``Distribution`` of sealed copies) and decrypts what it is
/// given; the client carries both. The sender key is replaced whenever the channel's member
/// machines change, either way: one that left (removed, banned, revoked) never gets the new key,
/// so it cannot read what is sent after; one that joined gets only the new key, so it cannot
/// read what was sent before.
public struct ChannelKeyring: Sendable {
    /// A member machine, with the X25519 key its verified announcement gave.
    public struct Member: Sendable, Hashable {
        /// `user/machine`.
        public var machine: String
        /// Its announced X25519 public key.
        public var agreementKey: [UInt8]

        /// Creates a member.
        public init(machine: String, agreementKey: [UInt8]) {
            self.machine = machine
            self.agreementKey = agreementKey
        }
    }

    /// Copies of a new sender key, each sealed to one member machine, to send before the first
    /// message encrypted with it.
    public struct Distribution: Sendable, Hashable {
        /// The key's identifier.
        public var keyID: [UInt8]
        /// `user/machine` → the sealed copy.
        public var copies: [String: [UInt8]]
    }

    /// Sender keys remembered per other machine (older ones are forgotten).
    public static let keysPerSender = 32

    /// This channel.
    public let channel: String
    /// This machine, `user/machine`: its own keys open its own posts (other sessions, history).
    public let machine: String
    var currentKey: ChannelKey?
    var memberSet: Set<Member> = []
    var receivedKeys: [String: [ChannelKey]] = [:]

    /// An empty keyring for `channel` on this machine (`user/machine`).
    public init(channel: String, machine: String) {
        self.channel = channel
        self.machine = machine
    }

    /// The key to encrypt the next post with, for these member machines (this one excluded).
    /// When they differ from those the current key went to, a new key is made and its copies are
    /// returned to send first.
    public mutating func senderKey(for members: Set<Member>) throws(IdentityError) -> (ChannelKey, Distribution?) {
        if let currentKey, members == memberSet { return (currentKey, nil) }
        let key = try ChannelKey.generate()
        var copies: [String: [UInt8]] = [:]
        var material = key.sealable
        defer { for index in material.indices { material[index] = 0 } }
        for member in members {
            copies[member.machine] = try AgreementKey.seal(material, to: member.agreementKey)
        }
        currentKey = key
        memberSet = members
        remember(key, from: machine)
        return (key, Distribution(keyID: key.id, copies: copies))
    }

    /// Takes a copy of `sender`'s key sealed to this machine; `false` when it does not open.
    public mutating func accept(_ sealed: [UInt8], from sender: String, with agreement: AgreementKey) -> Bool {
        guard var material = agreement.open(sealed) else { return false }
        defer { for index in material.indices { material[index] = 0 } }
        guard let key = ChannelKey.unsealed(material) else { return false }
        remember(key, from: sender)
        return true
    }

    private mutating func remember(_ key: ChannelKey, from sender: String) {
        var keys = receivedKeys[sender, default: []].filter { $0.id != key.id }
        keys.append(key)
        if keys.count > Self.keysPerSender { keys.removeFirst(keys.count - Self.keysPerSender) }
        receivedKeys[sender] = keys
    }

    /// Encrypts this machine's post as `sender` (its session path).
    public func encrypt(_ text: String, with key: ChannelKey, as sender: SessionPath) throws(IdentityError) -> Envelope {
        let ciphertext = try key.encrypt(Array(text.utf8), context: Self.context(channel: channel, sender: sender))
        return Envelope(ciphertext: ciphertext, keyID: Base64URL.encode(key.id))
    }

    /// The text of `envelope`, posted by `sender`; `nil` when no key this machine holds opens it
    /// (sent before it joined, after it left, or altered).
    public func decrypt(_ envelope: Envelope, from sender: SessionPath) -> String? {
        let machine = sender.user + "/" + sender.machine
        guard let keyID = envelope.keyID.flatMap(Base64URL.decode),
            let key = receivedKeys[machine]?.first(where: { $0.id == keyID }),
            let bytes = key.decrypt(envelope.ciphertext, context: Self.context(channel: channel, sender: sender))
        else { return nil }
        return String(validating: bytes, as: UTF8.self)
    }

    /// What a ciphertext is bound to: the channel and the sender's path, so a relay cannot move a
    /// post to another channel or attribute it to another session.
    static func context(channel: String, sender: SessionPath) -> [UInt8] {
        Array("conclave/channel-message/v1\u{0}\(channel)\u{0}\(sender)".utf8)
    }
}
