import ConclaveIdentity
import ConclaveProtocol
import ConclaveStorage

/// The `e2e` extension: what the server keeps for end-to-end encrypted private channels. It files
/// announcements and sealed keys and relays envelopes; it never holds a key that opens anything.
extension Hub {
    /// The most key shares one `ShareChannelKey` may carry (one per member machine).
    static let maximumSharesPerFrame = 1024

    /// Records this session's machine's X25519 announcement, once its signature checks against
    /// the key the session proved for this server, user and machine.
    func publishAgreement(_ announcement: AgreementAnnouncement, session: ServerSession) async throws -> ProtocolMessage {
        try requireEndToEnd(session)
        guard announcement.isWellFormed else {
            throw ProtocolError.malformedFrame("an announcement has a 32-byte key and a 64-byte signature")
        }
        let serverID = try await store.instanceID()
        let signed = announcement.signedBytes(serverID: serverID, user: session.user, machine: session.path.machine)
        guard let proved = session.machineKey, let key = try? PublicKey(bytes: proved), key.verify(signature: announcement.signature, for: signed)
        else {
            throw ProtocolError.unauthorized("the announcement is not signed by this session's machine key for this server, user and machine")
        }
        guard try await store.setAgreement(user: session.user, machine: session.path.machine, announcement: announcement.wireBytes) else {
            throw Refusal.storage
        }
        return .ack(detail: nil)
    }

    /// The members' machines of an encrypted channel, with their keys, for a member.
    func memberKeys(of channel: String, session: ServerSession) async throws -> ProtocolMessage {
        try requireEndToEnd(session)
        try await requireMembership(channel, session)
        let users = try await store.members(of: channel)
        let announcements = try await store.agreements(of: users)
        var members: [MemberMachine] = []
        for user in users {
            for machine in try await store.machines(of: user) {
                guard let key = try? PublicKey(text: machine.pubkey) else { continue }
                let agreement = announcements[user + "/" + machine.name].flatMap { try? AgreementAnnouncement(wireBytes: $0) }
                members.append(MemberMachine(user: user, machine: machine.name, signingKey: key.bytes, agreement: agreement))
            }
        }
        return .memberKeys(channel: channel, encrypted: encryptedChannels.contains(channel), members: members)
    }

    /// Makes a private channel end-to-end encrypted, for good (its admins only).
    func markEncrypted(_ channel: String, session: ServerSession) async throws -> ProtocolMessage {
        try requireEndToEnd(session)
        let record = try await administeredChannel(channel, by: session)
        guard record.visibility == .private else {
            throw ProtocolError.unauthorized("only a private channel can be end-to-end encrypted; `#\(channel)` is \(record.visibility)")
        }
        guard try await store.markEncrypted(channel: channel) else { throw Refusal.channelNotFound(channel) }
        encryptedChannels.insert(channel)
        await publish(.channelEncrypted(channel: channel))
        return .ack(detail: channel)
    }

    /// Files copies of the session's channel key, each for one member machine.
    func shareChannelKey(_ keys: [SealedChannelKey], in channel: String, session: ServerSession) async throws -> ProtocolMessage {
        try requireEndToEnd(session)
        guard encryptedChannels.contains(channel) else { throw ProtocolError.unauthorized("`#\(channel)` is not end-to-end encrypted") }
        try await requireMembership(channel, session)
        guard keys.count <= Self.maximumSharesPerFrame else {
            throw ProtocolError.malformedFrame("at most \(Self.maximumSharesPerFrame) key shares per frame")
        }
        let members = Set(try await store.members(of: channel))
        let sender = session.user + "/" + session.path.machine
        var shares: [ChannelKeyShare] = []
        for key in keys {
            guard key.isWellFormed else { throw ProtocolError.malformedFrame("a key share has a 16-byte id, a sealed key of at most \(SealedChannelKey.maximumSealedBytes) bytes, a 32-byte key and a 64-byte signature") }
            guard key.publicKey == session.machineKey else {
                throw ProtocolError.unauthorized("a key share must name the key this session signed in with")
            }
            let parts = key.recipient.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count == 2, members.contains(String(parts[0])) else {
                throw ProtocolError.unauthorized("`\(key.recipient)` is not a machine of a member of `#\(channel)`")
            }
            shares.append(ChannelKeyShare(sender: sender, recipient: key.recipient, keyID: key.keyID, share: key.wireBytes))
        }
        try await store.storeChannelKeys(shares, channel: channel, nowMs: wallClock())
        return .ack(detail: channel)
    }

    /// The channel keys shared with the session's machine, for a member.
    func channelKeys(in channel: String, session: ServerSession) async throws -> ProtocolMessage {
        try requireEndToEnd(session)
        try await requireMembership(channel, session)
        let shares = try await store.channelKeys(channel: channel, recipient: session.user + "/" + session.path.machine)
        return .channelKeys(channel: channel, keys: shares.compactMap { share in
            (try? SealedChannelKey(wireBytes: share.share)).map { SharedChannelKey(sender: share.sender, key: $0) }
        })
    }

    /// The encrypted channels the session may know of: those it is a member of (all for an admin).
    func listEncrypted(session: ServerSession) async throws -> ProtocolMessage {
        try requireEndToEnd(session)
        let visible = session.isAdmin ? encryptedChannels : encryptedChannels.intersection(try await store.memberships(of: session.user))
        return .encryptedChannels(channels: visible.sorted())
    }

    /// Refuses a plain post to an encrypted channel: its members agreed that the server never
    /// sees their text, and a client that does not encrypt would break that.
    func checkEncryption(of payload: Payload, in channel: String) throws {
        guard case .plain = payload, encryptedChannels.contains(channel) else { return }
        throw ProtocolError.unauthorized(
            "`#\(channel)` is end-to-end encrypted: only encrypted messages are accepted there (use a client that speaks the e2e extension)")
    }

    private func requireEndToEnd(_ session: ServerSession) throws {
        guard session.speaksEndToEnd else { throw Refusal.unexpectedFrame }
    }

    /// Refuses a non-member as if the channel did not exist, as for any private channel (gap G6).
    private func requireMembership(_ channel: String, _ session: ServerSession) async throws {
        guard try await isMember(channel, session.user) else { throw Refusal.channelNotFound(channel) }
    }
}
