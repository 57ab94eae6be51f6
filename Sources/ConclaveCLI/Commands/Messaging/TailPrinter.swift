import ConclaveClient
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ConclaveProtocol

/// Formats `tail` output: `HH:MM:SS [channel] user/machine/session: text` for people (with the
/// date when it is not today), or one JSON object per line with `--json`.
struct TailPrinter {
    let json: Bool

    func line(for message: TailFeed.Message) throws -> String {
        if json {
            return try JSONDocument.object(
                Self.fields(from: message.from, opened: message.opened ?? PayloadOpener().open(message.payload), timeMs: message.timeMs, provenance: message.provenance).merging([
                    "type": .string("message"), "channel": .string(message.channel), "replayed": .bool(message.replayed),
                ]) { $1 }
            ).rendered()
        }
        return "\(Self.clock(message.timeMs)) [\(TerminalText.sanitized(message.channel))] \(Self.mark(message.provenance))"
            + "\(TerminalText.sanitized(message.from.description)): \(Self.text(message.opened ?? PayloadOpener().open(message.payload)))"
    }

    func whisperLine(from: SessionPath, payload: Payload, provenance: Provenance = TailFeed.unsigned, timeMs: Int64) throws -> String {
        let opened = PayloadOpener().open(payload)
        if json {
            return try JSONDocument.object(Self.fields(from: from, opened: opened, timeMs: timeMs, provenance: provenance).merging([
                "type": .string("whisper")
            ]) { $1 }).rendered()
        }
        return "\(Self.clock(timeMs)) [whisper] \(Self.mark(provenance))\(TerminalText.sanitized(from.description)): \(Self.text(opened))"
    }

    /// The mark before a sender: `✓` signed by its machine's pinned key, `?` not signed, and a
    /// loud `✗ INVALID SIGNATURE (why)` for a forgery, an alteration or a replay.
    static func mark(_ provenance: Provenance) -> String {
        switch provenance {
        case .verified: "✓ "
        case .unverified: "? "
        case let .invalid(reason): "✗ INVALID SIGNATURE (\(TerminalText.sanitized(reason))) "
        }
    }

    private static func fields(from: SessionPath, opened: OpenedPayload, timeMs: Int64, provenance: Provenance) -> [String: JSONDocument] {
        var fields: [String: JSONDocument] = [
            "from": .string(from.description), "ts_ms": .int(timeMs), "provenance": .string(provenance.mark),
        ]
        if let reason = provenance.reason { fields["provenance_reason"] = .string(reason) }
        fields["text"] = opened.text.map(JSONDocument.string) ?? .null
        fields["encrypted"] = .bool(opened.wasEncrypted)
        return fields
    }

    private static func text(_ opened: OpenedPayload) -> String {
        TerminalText.sanitized(opened.displayText)
    }

    /// Local wall-clock time of `ms`; the date is added for other days than today.
    static func clock(_ ms: Int64, nowMs: Int64 = Int64(time(nil)) * 1000) -> String {
        guard let when = localTime(ms), let today = localTime(nowMs) else { return "\(ms)" }
        let time = pad(when.tm_hour) + ":" + pad(when.tm_min) + ":" + pad(when.tm_sec)
        if when.tm_year == today.tm_year, when.tm_yday == today.tm_yday { return time }
        return "\(when.tm_year + 1900)-\(pad(when.tm_mon + 1))-\(pad(when.tm_mday)) \(time)"
    }

    private static func localTime(_ ms: Int64) -> tm? {
        var seconds = time_t(ms / 1000)
        var result = tm()
        return localtime_r(&seconds, &result) == nil ? nil : result
    }

    private static func pad(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
}
