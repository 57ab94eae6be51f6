import Foundation

/// The server's flood controls, each of which can be switched off (`nil`).
///
/// The defaults let ordinary agent conversation through untouched (an agent that posts ten
/// messages a second for long is a loop, not a conversation) while bounding what one session,
/// one user or one address can cost everyone else. Heartbeats, presence, `Leave` and replies to
/// reads are never limited.
public struct ServerLimits: Sendable, Hashable {
    /// Posts per session.
    public var postsPerSession: RateRule? = .perSecond(10, burst: 60)
    /// Posts per user, all sessions together.
    public var postsPerUser: RateRule? = .perSecond(30, burst: 200)
    /// Whispers per session.
    public var whispersPerSession: RateRule? = .perSecond(10, burst: 60)
    /// Whispers per user, all sessions together.
    public var whispersPerUser: RateRule? = .perSecond(30, burst: 200)
    /// Joins per session (each may probe a channel or redeem an invite).
    public var joinsPerSession: RateRule? = .perSecond(5, burst: 30)
    /// Joins per user, all sessions together.
    public var joinsPerUser: RateRule? = .perSecond(15, burst: 100)
    /// Registrations per remote address.
    public var registrationsPerAddress: RateRule? = .perMinute(10, burst: 20)
    /// Connection attempts per remote address.
    public var connectionsPerAddress: RateRule? = .perSecond(20, burst: 200)
    /// Connections still in the handshake, from one address.
    public var pendingHandshakesPerAddress: Int? = 64
    /// Connections still in the handshake, in all.
    public var pendingHandshakes: Int? = 4096
    /// Connections from one address that have not authenticated, counted from accept (so a
    /// connection that never sends a request counts too).
    public var unauthenticatedConnectionsPerAddress: Int? = 128
    /// Connections that have not authenticated, in all, counted from accept. The server also
    /// keeps this below half of its descriptor limit, so established sessions and `/health`
    /// always have descriptors left.
    public var unauthenticatedConnections: Int? = 8192
    /// Channels created or renamed, per user.
    public var channelChangesPerUser: RateRule? = .perMinute(10, burst: 30)
    /// Channels one user may have created and still administer.
    public var channelsPerUser: Int? = 500
    /// Channels on the server. At 10,000 names of at most 128 bytes, the largest `ChannelList`
    /// reply is under 1.5 MiB, far below the 16 MiB frame limit every client accepts.
    public var channels: Int? = 10_000
    /// Live sessions per user.
    public var sessionsPerUser: Int? = 256
    /// Largest accepted message body (a plain text's UTF-8 bytes, or an envelope's ciphertext).
    public var maxBodyBytes: Int? = 64 * 1024
    /// Messages kept per channel; older ones are deleted by the maintenance sweep.
    public var channelHistory: Int? = 100_000

    /// The defaults.
    public init() {}

    /// Every limit off (benchmarks, trusted single-user setups).
    public static let unlimited: ServerLimits = {
        var limits = ServerLimits()
        for key in Key.allCases { limits[key] = .off }
        return limits
    }()

    /// The names `--limit` accepts, with what each bounds and its value form.
    public enum Key: String, CaseIterable, Sendable {
        case postRate = "post-rate"
        case userPostRate = "user-post-rate"
        case whisperRate = "whisper-rate"
        case userWhisperRate = "user-whisper-rate"
        case joinRate = "join-rate"
        case userJoinRate = "user-join-rate"
        case registerRate = "register-rate"
        case connectRate = "connect-rate"
        case pendingHandshakes = "pending-handshakes"
        case pendingHandshakesPerAddress = "pending-handshakes-per-address"
        case unauthenticatedConnections = "unauthenticated-connections"
        case unauthenticatedConnectionsPerAddress = "unauthenticated-connections-per-address"
        case channelRate = "channel-rate"
        case userChannels = "user-channels"
        case channels = "channels"
        case sessionsPerUser = "sessions-per-user"
        case maxBody = "max-body"
        case channelHistory = "channel-history"

        /// What the limit bounds, for `--help` and errors.
        public var summary: String {
            switch self {
            case .postRate: "posts per session (RATE)"
            case .userPostRate: "posts per user (RATE)"
            case .whisperRate: "whispers per session (RATE)"
            case .userWhisperRate: "whispers per user (RATE)"
            case .joinRate: "joins per session (RATE)"
            case .userJoinRate: "joins per user (RATE)"
            case .registerRate: "registrations per address (RATE)"
            case .connectRate: "connection attempts per address (RATE)"
            case .pendingHandshakes: "connections in the handshake, in all (COUNT)"
            case .pendingHandshakesPerAddress: "connections in the handshake, per address (COUNT)"
            case .unauthenticatedConnections: "unauthenticated connections from accept, in all (COUNT; also kept below half the descriptor limit)"
            case .unauthenticatedConnectionsPerAddress: "unauthenticated connections from accept, per address (COUNT)"
            case .channelRate: "channels created or renamed per user (RATE)"
            case .userChannels: "channels one user created and administers (COUNT)"
            case .channels: "channels on the server (COUNT)"
            case .sessionsPerUser: "live sessions per user (COUNT)"
            case .maxBody: "largest message body in bytes (COUNT, or with KiB/MiB)"
            case .channelHistory: "messages kept per channel (COUNT)"
            }
        }

        var isRate: Bool {
            switch self {
            case .postRate, .userPostRate, .whisperRate, .userWhisperRate, .joinRate, .userJoinRate, .registerRate, .connectRate,
                .channelRate: true
            default: false
            }
        }
    }

    /// One limit's setting.
    public enum Setting: Sendable, Hashable, CustomStringConvertible {
        case off
        case rate(RateRule)
        case count(Int)

        public var description: String {
            switch self {
            case .off: "off"
            case let .rate(rule): rule.description
            case let .count(count): "\(count)"
            }
        }
    }

    /// Reads or replaces one limit by name.
    public subscript(key: Key) -> Setting {
        get {
            func rate(_ rule: RateRule?) -> Setting { rule.map(Setting.rate) ?? .off }
            func count(_ value: Int?) -> Setting { value.map(Setting.count) ?? .off }
            return switch key {
            case .postRate: rate(postsPerSession)
            case .userPostRate: rate(postsPerUser)
            case .whisperRate: rate(whispersPerSession)
            case .userWhisperRate: rate(whispersPerUser)
            case .joinRate: rate(joinsPerSession)
            case .userJoinRate: rate(joinsPerUser)
            case .registerRate: rate(registrationsPerAddress)
            case .connectRate: rate(connectionsPerAddress)
            case .pendingHandshakes: count(pendingHandshakes)
            case .pendingHandshakesPerAddress: count(pendingHandshakesPerAddress)
            case .unauthenticatedConnections: count(unauthenticatedConnections)
            case .unauthenticatedConnectionsPerAddress: count(unauthenticatedConnectionsPerAddress)
            case .channelRate: rate(channelChangesPerUser)
            case .userChannels: count(channelsPerUser)
            case .channels: count(channels)
            case .sessionsPerUser: count(sessionsPerUser)
            case .maxBody: count(maxBodyBytes)
            case .channelHistory: count(channelHistory)
            }
        }
        set {
            let rule: RateRule? = if case let .rate(rule) = newValue { rule } else { nil }
            let count: Int? = if case let .count(count) = newValue { count } else { nil }
            switch key {
            case .postRate: postsPerSession = rule
            case .userPostRate: postsPerUser = rule
            case .whisperRate: whispersPerSession = rule
            case .userWhisperRate: whispersPerUser = rule
            case .joinRate: joinsPerSession = rule
            case .userJoinRate: joinsPerUser = rule
            case .registerRate: registrationsPerAddress = rule
            case .connectRate: connectionsPerAddress = rule
            case .pendingHandshakes: pendingHandshakes = count
            case .pendingHandshakesPerAddress: pendingHandshakesPerAddress = count
            case .unauthenticatedConnections: unauthenticatedConnections = count
            case .unauthenticatedConnectionsPerAddress: unauthenticatedConnectionsPerAddress = count
            case .channelRate: channelChangesPerUser = rule
            case .userChannels: channelsPerUser = count
            case .channels: channels = count
            case .sessionsPerUser: sessionsPerUser = count
            case .maxBody: maxBodyBytes = count
            case .channelHistory: channelHistory = count
            }
        }
    }

    /// Applies one `NAME=VALUE` setting: a rate (`20/s`, `10/min:30`), a count (`64`, `64KiB` for
    /// `max-body`), or `off`.
    public mutating func apply(_ setting: String) throws(ServerError) {
        let parts = setting.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.count == 2, !parts[1].isEmpty else {
            throw .invalidLimit(setting: setting, reason: "expected NAME=VALUE, e.g. post-rate=20/s:100 or max-body=64KiB")
        }
        guard let key = Key(rawValue: parts[0]) else {
            throw .invalidLimit(setting: setting, reason: "unknown limit `\(parts[0])`; known: \(Key.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let value = parts[1]
        if value == "off" {
            self[key] = .off
        } else if key.isRate {
            guard let rule = RateRule(parsing: value) else {
                throw .invalidLimit(setting: setting, reason: "\(key.rawValue) is a rate: COUNT/UNIT[:BURST] with UNIT s, min or h (e.g. 20/s:100), or off")
            }
            self[key] = .rate(rule)
        } else {
            guard let count = Self.count(parsing: value), count > 0 else {
                throw .invalidLimit(setting: setting, reason: "\(key.rawValue) is a positive count (e.g. 64, or 64KiB for max-body), or off")
            }
            self[key] = .count(count)
        }
    }

    private static func count(parsing text: String) -> Int? {
        for (suffix, scale) in [("KiB", 1024), ("MiB", 1024 * 1024)] where text.hasSuffix(suffix) {
            guard let base = Int(text.dropLast(suffix.count)) else { return nil }
            let (product, overflow) = base.multipliedReportingOverflow(by: scale)
            return overflow ? nil : product
        }
        return Int(text)
    }
}
