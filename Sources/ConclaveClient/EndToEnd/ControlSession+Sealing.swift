public import ConclaveProtocol

extension ControlSession {
    /// Prepares `text` for `channel`: announces this machine's key, and when the channel is end-to-end
    /// encrypted, seals the text for its member machines, filing the key shares a new sender key
    /// needs before returning. The one sealing path of `send` and the web console.
    public mutating func envelope(
        for text: String, to channel: String, with channels: EndToEndChannels, nowMs: Int64
    ) async throws -> PostEnvelope {
        let announced = try await request(channels.announcement(nowMs: nowMs))
        guard case .ack = announced else { return .refused(step: "key announcement", reply: announced) }
        guard case let .encryptedChannels(names) = try await request(.listEncrypted), names.contains(channel) else {
            return .plain
        }
        let listed = try await request(.memberKeysQuery(channel: channel))
        guard case let .memberKeys(_, _, members) = listed else { return .refused(step: "member keys", reply: listed) }
        let sealed = try channels.seal(text, to: channel, members: members, nowMs: nowMs)
        if let shares = sealed.shares {
            let filed = try await request(shares)
            guard case .ack = filed else { return .refused(step: "key share", reply: filed) }
        }
        return .sealed(sealed.payload, unreadableBy: sealed.unreadableBy)
    }
}
