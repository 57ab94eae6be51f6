public import ConclaveClient
public import ConclaveProtocol

extension BridgeCore {
    /// The session handle to dial `key` with now.
    public func handleName(for key: String) -> String {
        handle.name(on: key)
    }

    /// The link to `key` is up as `path`. `noticeSender` is the path the server declared it
    /// reserves for its notices; without one, nothing it relays is taken as a server notice.
    /// `trust` signs what this session sends there and checks what it receives (`nil`: the
    /// connection carries no signatures).
    public func linkUp(
        _ key: String, path: SessionPath, noticeSender: SessionPath? = nil, extensions: Set<ProtocolExtension> = [],
        trust: MessageTrust? = nil, endToEnd: EndToEndChannels? = nil, connection: LinkConnection
    ) {
        let session = LinkLifecycle.Session(
            path: path, noticeSender: noticeSender, receipts: extensions.contains(.receipts), trust: trust, endToEnd: endToEnd)
        guard let outcome = servers[key]?.link.connected(connection, as: session, now: .now), outcome != .refused else {
            connection.restart()
            return
        }
        if outcome == .connected(reconnected: true) { notice("Reconnected to `\(key)`.", kind: .link, server: key) }
        // Re-join before anything that waited for the link.
        for channel in (servers[key]?.joined ?? []).sorted().reversed() {
            servers[key]?.requests.enqueue(.resubscribe(channel: channel), frame: .join(channel: channel, token: nil), deadline: .now + settings.replyTimeout, first: true)
        }
        if let endToEnd {
            // First: members can seal keys to this machine once its key is announced.
            servers[key]?.requests.enqueue(.encryptedList, frame: .listEncrypted, deadline: .now + settings.replyTimeout, first: true)
            servers[key]?.requests.enqueue(
                .announce, frame: endToEnd.announcement(nowMs: wallClock()), deadline: .now + settings.replyTimeout, first: true)
        }
        pump(key)
        refreshTools()
    }

    /// The connection to `key` ended.
    public func linkDown(_ key: String, reason: String) {
        let outcome = servers[key]?.link.dropped(
            reason: reason, now: .now, stableAfter: settings.stableAfter, rapidDropLimit: settings.rapidDropLimit)
        guard case let .lost(reason, notice)? = outcome else { return }
        if let inFlight = servers[key]?.requests.connectionLost() {
            fail(inFlight, "connection to `\(key)` lost before it answered (\(reason)); the request may or may not have taken effect")
        }
        releaseHeldForKeys(server: key)
        switch notice {
        case .none:
            break
        case .disconnected:
            self.notice("Disconnected from `\(key)` (\(ChannelFraming.peerText(reason))) — reconnecting.", kind: .link, server: key)
        case .handleFight:
            handleFight(key)
        }
    }

    /// Connections to `key` keep dying young: another live session is taking the same path.
    private func handleFight(_ key: String) {
        let old = handle.name(on: key)
        if let new = handle.advance(on: key) {
            servers[key]?.link.handleAdvanced()
            notice("Another live session holds `\(old)` on `\(key)`; reconnecting there as `\(new)` (start the bridge with --as to pin a name).", kind: .link, server: key)
        } else if servers[key]?.link.reportFight() == true {
            notice("The link to `\(key)` keeps dropping right after connecting: another live session probably uses the handle `\(old)`. Start one of them with a different --as. Link notices stay quiet until the link is stable.", kind: .link, server: key)
        }
    }

    /// A connection attempt to `key` failed before authentication (unreachable, timed out).
    public func connectFailed(_ key: String, reason: String) {
        // The session hears once that the server cannot be reached (reference gap 3).
        if servers[key]?.link.attemptFailed(reason: reason) == true {
            notice("Cannot reach `\(key)` (\(ChannelFraming.peerText(reason))); retrying in the background.", kind: .link, server: key)
        }
    }

    /// `key` refused this bridge in a way retrying cannot fix (unknown or revoked key, protocol
    /// version): the session is told once and the link stops.
    public func linkRejected(_ key: String, reason: String) {
        disable(key, failure: "`\(key)` refused this bridge: \(reason)")
        notice("`\(key)` refused this bridge: \(ChannelFraming.peerText(reason)). The bridge stopped trying this server; fix the cause (for example `conclave status`) and restart the session.", kind: .link, server: key)
    }

    /// Whether `key` may still be linked (not refused, not a duplicate).
    public func isUsable(_ key: String) -> Bool {
        servers[key]?.failure == nil
    }

    /// `key` turned out to be the same server as `canonical`, which is listed earlier.
    public func duplicate(_ key: String, canonical: String) {
        guard servers[key]?.failure == nil else { return }
        disable(key, failure: "`\(key)` is the same server as `\(canonical)`; target `\(canonical)` instead")
        notice("`\(key)` is the same server as `\(canonical)`: this duplicate link is disabled; target `\(canonical)` instead.", kind: .link, server: key)
    }

    private func disable(_ key: String, failure: String) {
        guard var server = servers[key] else { return }
        server.link.giveUp(failure)?.restart()
        let entries = server.requests.removeAll()
        server.joined = []
        server.administered = []
        server.isServerAdmin = false
        servers[key] = server
        for entry in entries { fail(entry, failure) }
        refreshTools()
    }
}
