/// Extensions to protocol v1 that a client and a server may agree on. A peer that did not agree
/// never receives an extension frame, so the Rust reference works against ours unchanged.
///
/// Agreement happens at the WebSocket upgrade: the client lists what it speaks in the
/// `x-conclave-extensions` request header; our server answers with the same header listing
/// the ones it accepted. A reference server ignores the request header and sends none back.
public enum ProtocolExtension: String, Sendable, Hashable, CaseIterable {
    /// Message ids and per-recipient receipts (`Docs/PROTOCOL.md`, "Extension: receipts").
    case receipts
    /// Messages signed by the sending machine, and machine-key lookup (`Docs/PROTOCOL.md`,
    /// "Extension: signatures").
    case signatures
    /// End-to-end encrypted private channels: key announcements, member keys, sealed channel
    /// keys (`Docs/PROTOCOL.md`, "Extension: e2e").
    case e2e

    /// The header value for `extensions`: tokens, comma-separated, in a fixed order.
    public static func headerValue(_ extensions: Set<ProtocolExtension>) -> String {
        allCases.filter(extensions.contains).map(\.rawValue).joined(separator: ", ")
    }

    /// The extensions a header value names; unknown tokens are ignored, and so is anything past
    /// the first 1 KiB.
    public static func parse(_ value: String?) -> Set<ProtocolExtension> {
        guard let value else { return [] }
        return Set(value.utf8.prefix(1024).split(separator: UInt8(ascii: ",")).compactMap { token in
            ProtocolExtension(rawValue: Self.trimmed(String(decoding: token, as: UTF8.self)))
        })
    }

    private static func trimmed(_ text: String) -> String {
        String(text.drop(while: { $0 == " " || $0 == "\t" }).reversed().drop(while: { $0 == " " || $0 == "\t" }).reversed()).lowercased()
    }
}
