public import ConclaveProtocol

/// Recognises the server speaking: a whisper from the reserved notice path (kicked, banned,
/// channel renamed or deleted), on a server that declared at the upgrade that it reserves that
/// path (`x-conclave-notices`).
///
/// On any other server anyone may have registered `conclave`, so the same whisper is an ordinary,
/// untrusted one.
public enum ServerNotice {
    /// The notice's text, if a whisper from `from` is the server speaking; `nil` for an ordinary
    /// whisper.
    public static func text(from: SessionPath, payload: Payload, declaredSender: SessionPath?) -> String? {
        guard from == .serverNotice, from == declaredSender else { return nil }
        return PayloadOpener().open(payload).displayText
    }
}
