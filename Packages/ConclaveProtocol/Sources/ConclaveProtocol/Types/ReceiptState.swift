/// Where one message stands for one recipient session (the `receipts` extension).
///
/// `relayed` and `expired` are set by the server; the others are reported by the recipient's
/// bridge. On the wire, a bincode enum index (0–6).
public enum ReceiptState: UInt32, Sendable, Hashable, CaseIterable, CustomStringConvertible, LowercaseToken {
    /// The server handed the message to the recipient session's connection.
    case relayed
    /// The recipient's bridge received it.
    case delivered
    /// The bridge put it in front of the model (pushed, or drained by a hook).
    case injected
    /// The bridge or the server is keeping it back (mute, an inbound budget, recipient offline).
    case held
    /// The recipient will not show it.
    case refused
    /// The recipient's model acknowledged it (the `ack` tool, or a reply naming it).
    case acked
    /// A held whisper whose recipient did not appear in time.
    case expired

    static let variantCount = 7

    /// How far along the normal path (`relayed` → `delivered` → `injected` → `acked`) this
    /// state is; the side states (held, refused, expired) rank with `delivered`.
    public var progress: Int {
        switch self {
        case .relayed: 0
        case .delivered, .held, .refused, .expired: 1
        case .injected: 2
        case .acked: 3
        }
    }

    /// Whether a recipient may report this state (the server sets the others).
    public var isReportable: Bool {
        self != .relayed && self != .expired
    }

    /// Parses the lowercase token.
    public init(token: String) throws(ValueParseError) {
        guard let match = Self.matching(token) else { throw .unknownReceiptState(token) }
        self = match
    }

    /// The lowercase token.
    public var token: String {
        switch self {
        case .relayed: "relayed"
        case .delivered: "delivered"
        case .injected: "injected"
        case .held: "held"
        case .refused: "refused"
        case .acked: "acked"
        case .expired: "expired"
        }
    }

    public var description: String { token }
}

extension ReceiptState: WireCodable {
    init(from reader: inout WireReader) throws(WireFormatError) {
        let index = try reader.readVariantIndex(of: "ReceiptState", count: Self.variantCount)
        self = ReceiptState(rawValue: index) ?? .relayed
    }

    func encode(to writer: inout WireWriter) {
        writer.writeU32(rawValue)
    }
}
