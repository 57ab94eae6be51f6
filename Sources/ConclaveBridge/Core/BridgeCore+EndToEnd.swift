import ConclaveClient
import ConclaveProtocol

/// End-to-end encrypted channels in the bridge: posts sealed for the members' machines, posts
/// under keys this machine lacks held until the keys are fetched, and history opened with them.
extension BridgeCore {
    /// The most live messages held while keys are fetched; past it they are shown as they read now.
    static let heldWhileFetchingKeys = 1_000

    /// Holds `message` when it is an encrypted post no key here opens yet, or when earlier ones
    /// are already held (order is kept), and asks for the channel's keys; `false` to deliver now.
    func holdForKeys(_ message: ReceivedMessage, provenance: Provenance, server key: String) -> Bool {
        guard let server = servers[key], server.endToEnd != nil, let channel = message.channel,
            server.awaitingKeys.count < Self.heldWhileFetchingKeys
        else { return false }
        guard server.opener.lacksKey(for: message) || !server.awaitingKeys.isEmpty else { return false }
        servers[key]?.awaitingKeys.append((message, provenance))
        if server.awaitingKeys.isEmpty {
            enqueue(key, .channelKeys(channel: channel), .channelKeysQuery(channel: channel), first: true)
        }
        return true
    }

    /// Fetches the keys shared with this machine before a channel's history is read, when the
    /// channel is encrypted.
    func fetchKeysIfEncrypted(_ channel: String, server key: String) {
        guard servers[key]?.endToEnd != nil, servers[key]?.encrypted.contains(channel) == true else { return }
        enqueue(key, .channelKeys(channel: channel), .channelKeysQuery(channel: channel))
    }

    /// The replies to the requests of this extension.
    func completeEndToEnd(_ entry: RequestQueue<RequestPurpose>.Entry, reply: ProtocolMessage, server key: String) {
        switch entry.purpose {
        case .announce:
            if case let .error(error) = reply {
                logger.warning("the server refused this machine's key announcement", metadata: ["server": "\(key)", "error": "\(error)"])
            }
        case .encryptedList:
            if case let .encryptedChannels(names) = reply { servers[key]?.encrypted = Set(names) }
        case let .seal(id, channel, text):
            sealed(text, to: channel, reply: reply, id: id, cancelled: entry.cancelled, server: key)
        case let .keyShare(channel):
            if case let .error(error) = reply {
                logger.warning("the server refused this machine's key shares", metadata: ["server": "\(key)", "channel": "\(channel)", "error": "\(error)"])
            }
        case let .channelKeys(channel):
            if case let .channelKeys(keysChannel, keys) = reply, let endToEnd = servers[key]?.endToEnd {
                do {
                    for refusal in try endToEnd.accept(keys, in: keysChannel) {
                        notice("A key share for #\(ChannelFraming.peerText(channel)) was refused: \(ChannelFraming.peerText(refusal)).", kind: .notice, server: key)
                    }
                } catch {
                    logger.error("could not keep channel keys", metadata: ["server": "\(key)", "error": "\(error)"])
                }
            }
            releaseHeldForKeys(server: key)
        default:
            break
        }
    }

    /// Shows the messages held for keys, as they read now: after the keys came, or when the link
    /// dropped before they did (nothing held is lost).
    func releaseHeldForKeys(server key: String) {
        let held = servers[key]?.awaitingKeys ?? []
        servers[key]?.awaitingKeys = []
        for (message, provenance) in held { deliver(message, provenance: provenance, server: key) }
    }

    /// Seals `text` for the members `reply` lists, then files the key shares and posts, in that
    /// order, before anything else queued; the post answers the tool call.
    private func sealed(_ text: String, to channel: String, reply: ProtocolMessage, id: JSONValue, cancelled: Bool, server key: String) {
        guard !cancelled else { return }
        guard case let .memberKeys(_, _, members) = reply, let endToEnd = servers[key]?.endToEnd else {
            answer(id, "could not encrypt for #\(ChannelFraming.peerText(channel)): \(Self.describe(reply))", isError: true)
            return
        }
        do {
            let sealed = try endToEnd.seal(text, to: channel, members: members, nowMs: wallClock())
            let post = ProtocolMessage.channelMessage(channel: channel, from: ownPath(key), payload: sealed.payload)
            servers[key]?.requests.enqueue(.tool(id: id, action: .send(channel: channel)), frame: post, deadline: .now + settings.replyTimeout, first: true)
            if let shares = sealed.shares {
                servers[key]?.requests.enqueue(.keyShare(channel: channel), frame: shares, deadline: .now + settings.replyTimeout, first: true)
            }
            for machine in sealed.unreadableBy {
                notice("#\(ChannelFraming.peerText(channel)): not readable by \(ChannelFraming.peerText(machine)).", kind: .notice, server: key)
            }
            pump(key)
        } catch {
            answer(id, "could not encrypt for #\(ChannelFraming.peerText(channel)): \(error)", isError: true)
        }
    }
}
