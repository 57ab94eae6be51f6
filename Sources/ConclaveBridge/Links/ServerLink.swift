public import ConclaveIdentity
import ConclaveProtocol
public import ConclaveTransport
public import ConclaveClient
import Logging
import Synchronization

/// One server's link: connect, authenticate with the handle the core chooses, carry frames both
/// ways with a keepalive that notices half-open connections, and reconnect with jittered backoff
/// until cancelled, or until the server refuses this bridge for good.
public struct ServerLink: Sendable {
    /// Why a connection attempt ends the link for good.
    private enum Stop: Error {
        case duplicate(canonical: String)
    }

    let serverKey: String
    let rank: Int
    let url: ServerURL
    let signingKey: SigningKey
    /// Where senders' machine keys are pinned (signed messages are checked against them).
    let knownKeys: KnownKeys
    /// This machine's configuration directory, for its X25519 key and channel keyrings (`nil`:
    /// no end-to-end encrypted channels on this link).
    let directory: ConfigDirectory?
    let core: BridgeCore
    let claims: ServerIdentityClaims
    let timeouts: TransportTimeouts
    /// How a `wss://` server is verified (its registration's CA file, if any).
    let tls: ClientTLS
    let keepalive: Duration
    let silenceLimit: Duration
    let backoff: ReconnectBackoff
    let logger = Logger(label: "conclave.bridge.link")

    /// A link to `url` (whose spelling, ``ServerURL/text``, is the core's server key), listed
    /// `rank`-th in the configuration, verifying a `wss://` server with `tls`.
    public init(
        url: ServerURL, rank: Int, signingKey: SigningKey, knownKeys: KnownKeys, directory: ConfigDirectory? = nil, core: BridgeCore,
        claims: ServerIdentityClaims, tls: ClientTLS = .systemTrustStore,
        timeouts: TransportTimeouts = .standard, keepalive: Duration = .seconds(20), silenceLimit: Duration = .seconds(45),
        backoff: ReconnectBackoff = ReconnectBackoff(initial: .milliseconds(200), maximum: .seconds(30), jitter: 0.2, stableAfter: .seconds(30))
    ) {
        serverKey = url.text
        self.tls = tls
        self.rank = rank
        self.url = url
        self.signingKey = signingKey
        self.knownKeys = knownKeys
        self.directory = directory
        self.core = core
        self.claims = claims
        self.timeouts = timeouts
        self.keepalive = keepalive
        self.silenceLimit = silenceLimit
        self.backoff = backoff
    }

    /// Runs until the task is cancelled or the server is unusable.
    public func run() async {
        var backoff = backoff
        while !Task.isCancelled, await core.isUsable(serverKey) {
            let handle = await core.handleName(for: serverKey)
            let client = ControlClient(
                url: url, key: signingKey, session: handle, tls: tls, timeouts: timeouts, extensions: [.receipts, .signatures, .e2e], logger: logger)
            let established = Established()
            let serverKey = serverKey
            let claims = claims
            let rank = rank
            let core = core
            do {
                try await client.withSession(admit: { serverID in
                    guard let serverID else { return }
                    switch await claims.claim(serverID, for: serverKey, rank: rank) {
                    case .granted:
                        break
                    case let .duplicate(canonical):
                        throw Stop.duplicate(canonical: canonical)
                    case let .tookOver(other):
                        await core.duplicate(other, canonical: serverKey)
                    }
                }) { session in
                    established.mark()
                    try await carry(&session)
                }
            } catch Stop.duplicate(let canonical) {
                await core.duplicate(serverKey, canonical: canonical)
                return
            } catch TransportError.handshakeRejected(_, let refusal) {
                await core.linkRejected(serverKey, reason: Self.explain(refusal))
                return
            } catch {
                if Task.isCancelled { return }
                if let uptime = established.uptime {
                    backoff.connectionEnded(after: uptime)
                    await core.linkDown(serverKey, reason: "\(error)")
                } else {
                    await core.connectFailed(serverKey, reason: "\(error)")
                }
            }
            do {
                try await Task.sleep(for: backoff.nextDelay())
            } catch {
                return
            }
        }
    }

    /// Pumps one authenticated connection until it ends.
    private func carry(_ session: inout ControlSession) async throws {
        let (frames, continuation) = AsyncStream.makeStream(of: ProtocolMessage.self)
        let outbound = session.outbound
        await core.linkUp(
            serverKey, path: session.path, noticeSender: session.noticeSender, extensions: session.extensions,
            trust: MessageTrust(session: session, key: signingKey, knownKeys: knownKeys), endToEnd: endToEnd(for: session),
            connection: LinkConnection(send: { continuation.yield($0) }, restart: { continuation.finish() }))
        defer { continuation.finish() }
        let core = core
        let serverKey = serverKey
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for await frame in frames { try await outbound.send(frame) }
                // The core asked for a fresh connection: closing ends the reader below.
                await outbound.close()
            }
            defer { group.cancelAll() }
            // Ends only by throwing: the connection failed, went silent, or was closed above.
            _ = try await session.stream(pingEvery: keepalive, silenceLimit: silenceLimit) { _, frame -> Never? in
                await core.received(frame, from: serverKey)
                return nil
            }
            throw TransportError.closed(url: url.normalized)
        }
    }

    /// Channel keys for `session`, when it speaks `e2e` and this machine's X25519 key can be
    /// loaded (or made); a failure is logged and the link carries on without encryption.
    private func endToEnd(for session: ControlSession) -> EndToEndChannels? {
        guard let directory else { return nil }
        do {
            return try EndToEndChannels(session: session, key: signingKey, directory: directory)
        } catch {
            logger.error("no end-to-end encryption on this link: this machine's X25519 key could not be loaded", metadata: ["error": "\(error)"])
            return nil
        }
    }

    /// A refusal's text with what to do about it.
    static func explain(_ refusal: ProtocolError) -> String {
        let text = "\(refusal)"
        if case let .versionMismatch(ours, theirs) = refusal {
            return text + " — " + ProtocolVersion.mismatchExplanation(ours: theirs, theirs: ours)
        }
        if Refusal.Kind(refusal) == .unknownMachineKey {
            return text + " (this machine's key is not enrolled there: run `conclave register`, or `conclave machine add` from an enrolled machine and then `conclave server add`)"
        }
        return text
    }
}

/// When the current connection was authenticated, shared between the attempt and its body.
private final class Established: Sendable {
    private let since = Mutex<ContinuousClock.Instant?>(nil)

    func mark() { since.withLock { $0 = .now } }

    var uptime: Duration? { since.withLock { $0 }.map { $0.duration(to: .now) } }
}
