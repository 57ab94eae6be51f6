import ConclaveStore
import Foundation

/// The text of one notification on the bus: the publishing node and the event, as JSON.
///
/// PostgreSQL caps a notification's payload at 8000 bytes. A posted message whose envelope would
/// not fit goes without its body (receivers read it from `messages` by number); any other event
/// that would not fit is stored in `bus_spill` and the notification carries `@<row id>`.
struct BusEnvelope: Codable, Sendable, Hashable {
    /// The notification channel every instance listens on.
    static let channel = "conclave_bus"
    /// The most a notification carries; below PostgreSQL's 8000 with room to spare.
    static let maximumBytes = 7900
    /// Prefix of a notification that names a spilled event.
    static let spillPrefix = "@"

    /// The node that published the event.
    var origin: String
    /// The event.
    var event: ClusterEvent

    /// The JSON text of this envelope.
    func encoded() throws -> String {
        String(decoding: try JSONEncoder().encode(self), as: UTF8.self)
    }

    /// Parses notification text; `nil` for anything that is not an envelope.
    static func decode(_ text: String) -> BusEnvelope? {
        try? JSONDecoder().decode(BusEnvelope.self, from: Data(text.utf8))
    }

    /// The notification for a stored channel message: with its body when it fits.
    static func postedNotice(
        origin: String, channelID: Int64, channel: String, seq: Int64, from: String, payload: [UInt8], receiptID: UInt64
    ) -> String {
        let full = BusEnvelope(origin: origin, event: .posted(
            channelID: channelID, channel: channel, seq: seq, from: from, payload: Data(payload), receiptID: receiptID))
        if let text = try? full.encoded(), text.utf8.count <= maximumBytes { return text }
        let bare = BusEnvelope(origin: origin, event: .posted(
            channelID: channelID, channel: channel, seq: seq, from: from, payload: nil, receiptID: receiptID))
        // Names are bounded by the name policy and paths by three names, so this always fits.
        return (try? bare.encoded()) ?? ""
    }
}
