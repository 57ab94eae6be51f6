import ConclaveProtocol

/// How the server tells a session about something that happened to it (kicked, banned, removed
/// from the ACL, channel deleted or renamed), which the reference never does (gap G16).
///
/// Notices are `Whisper` frames from the reserved path `conclave/server/notice`, so every
/// client, including the Rust reference, shows them as ordinary direct messages. The username
/// `conclave` is reserved so nobody can impersonate this path.
enum SystemNotice {
    static let path = SessionPath.serverNotice
    static let reservedUsername = path.user

    static func frame(_ text: String, to target: SessionPath) -> ProtocolMessage {
        .whisper(from: path, target: target, payload: .plain(text))
    }
}
