import ConclaveClient
import ConclaveProtocol

/// The life of one server's link as the bridge core sees it: connecting, connected, or given up
/// for good, with what the agent has been told about it.
///
/// A state machine in the manner of the handshake's: each event is a mutating method that
/// returns what the core must do (say something, fail what was in flight, restart a connection),
/// and nothing here does I/O. `BridgeCore+Links` applies the outcomes.
struct LinkLifecycle {
    /// What the last established session said about itself. It is kept while reconnecting:
    /// requests queued meanwhile are built (and signed) for it.
    struct Session {
        let path: SessionPath
        /// The sender this server reserves for its notices (declared at the upgrade), if any.
        let noticeSender: SessionPath?
        /// Whether the connection speaks the `receipts` extension (message ids, receipts).
        let receipts: Bool
        /// Signing and checking, when it speaks `signatures`.
        let trust: MessageTrust?
        /// Channel keys, when it speaks `e2e`.
        let endToEnd: EndToEndChannels?
    }

    /// What the core does when a connection comes up.
    enum UpOutcome: Equatable {
        /// The server was given up on: end the new connection.
        case refused
        /// In use; `reconnected` when the agent was told the link was down and should hear it is back.
        case connected(reconnected: Bool)
    }

    /// What the core tells the agent when a connection ends.
    enum DropNotice: Equatable {
        /// Nothing: it was never up, or the agent already knows it is down.
        case none
        /// "Disconnected … reconnecting."
        case disconnected
        /// Connections keep dying young: another live session probably holds this handle.
        case handleFight
    }

    /// What the core does when a connection ends.
    enum DropOutcome: Equatable {
        /// The server was given up on already.
        case ignored
        /// Fail what was in flight with `reason`, release what waited for this link, and say `notice`.
        case lost(reason: String, notice: DropNotice)
    }

    private(set) var session: Session?
    private(set) var connection: LinkConnection?
    /// Set when the server can never be used by this process (refused handshake, duplicate).
    private(set) var failure: String?
    /// What the server or the last attempt said went wrong, until the connection it explains ends.
    private(set) var lastError: String?
    private var upSince: ContinuousClock.Instant?
    private var downNotified = false
    private var rapidDrops = 0
    private var fightReported = false

    /// A connection is up as `session`.
    mutating func connected(_ connection: LinkConnection, as session: Session, now: ContinuousClock.Instant) -> UpOutcome {
        guard failure == nil else { return .refused }
        self.connection = connection
        self.session = session
        upSince = now
        lastError = nil
        defer { downNotified = false }
        return .connected(reconnected: downNotified)
    }

    /// The connection ended with `reason` (what the server said before, if anything, wins).
    mutating func dropped(reason: String, now: ContinuousClock.Instant, stableAfter: Duration, rapidDropLimit: Int) -> DropOutcome {
        guard failure == nil else { return .ignored }
        let reason = lastError ?? reason
        lastError = nil
        connection = nil
        guard let since = upSince else { return .lost(reason: reason, notice: .none) }
        upSince = nil
        if since.duration(to: now) >= stableAfter {
            rapidDrops = 0
            fightReported = false
        } else {
            rapidDrops += 1
        }
        if rapidDrops >= rapidDropLimit { return .lost(reason: reason, notice: .handleFight) }
        guard !downNotified else { return .lost(reason: reason, notice: .none) }
        downNotified = true
        return .lost(reason: reason, notice: .disconnected)
    }

    /// The core moved this link to another handle after a ``DropNotice/handleFight``: young
    /// drops are counted afresh.
    mutating func handleAdvanced() {
        rapidDrops = 0
    }

    /// Whether to report a fight the core could not resolve by moving handles: once, until the
    /// link has been stable again.
    mutating func reportFight() -> Bool {
        guard !fightReported else { return false }
        fightReported = true
        return true
    }

    /// An attempt failed before authentication; returns whether the agent should hear that the
    /// server cannot be reached (once, until it is reached).
    mutating func attemptFailed(reason: String) -> Bool {
        guard failure == nil else { return false }
        lastError = reason
        guard !downNotified else { return false }
        downNotified = true
        return true
    }

    /// The server sent an error outside any request: it is about to end the session, and this is
    /// why, when the link drops.
    mutating func serverSaid(_ error: String) {
        lastError = error
    }

    /// Gives the server up for good with `failure`; returns the connection to end, if any.
    mutating func giveUp(_ failure: String) -> LinkConnection? {
        self.failure = failure
        defer { connection = nil }
        return connection
    }
}
