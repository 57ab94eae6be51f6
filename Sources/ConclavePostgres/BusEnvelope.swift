import ConclaveStorage
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
    /// When it was published (for a posted message: its stamp), on the publisher's clock; what a
    /// receiver's bus lag is measured from. Absent in envelopes of earlier versions.
    var sentMs: Int64?

    /// The largest body a posted-message notification carries inline (base64, with the names
    /// around it, stays below ``maximumBytes``); a larger one is read from `messages`.
    static let inlineBodyBytes = 4800
    /// The largest signature a notification carries inline (a real one is 84 bytes); a larger
    /// one, like a larger body, is read from `messages`.
    static let inlineSignatureBytes = 128

    /// The JSON text of this envelope.
    func encoded() throws -> String {
        String(decoding: try JSONEncoder().encode(self), as: UTF8.self)
    }

    /// Parses notification text: an envelope, or the compact form the append statement writes for
    /// each stored message; `nil` for anything else.
    static func decode(_ text: String) -> BusEnvelope? {
        let data = Data(text.utf8)
        if let envelope = try? JSONDecoder().decode(BusEnvelope.self, from: data) { return envelope }
        guard let notice = try? JSONDecoder().decode(PostedNotice.self, from: data) else { return nil }
        var body: Data?
        if let encoded = notice.b {
            guard let decoded = Data(base64Encoded: encoded) else { return nil }
            body = decoded
        }
        var signature: Data?
        if let encoded = notice.g {
            guard let decoded = Data(base64Encoded: encoded) else { return nil }
            signature = decoded
        }
        return BusEnvelope(origin: notice.o, event: .posted(
            channelID: notice.c, channel: notice.n, seq: notice.s, from: notice.f, payload: body,
            receiptID: UInt64(bitPattern: notice.r), signature: signature), sentMs: notice.t)
    }

    /// What `PostgresStore.appendQuery` notifies per message (built in SQL, hence its own short
    /// keys): origin, channel id and name, number, sender, receipt id, the message's stamp, the body
    /// in base64 when it is at most ``inlineBodyBytes``, and the signature in base64 when the body
    /// is inline and the message was signed.
    private struct PostedNotice: Decodable {
        var o: String
        var c: Int64
        var n: String
        var s: Int64
        var f: String
        var r: Int64
        var t: Int64?
        var b: String?
        var g: String?
    }
}
