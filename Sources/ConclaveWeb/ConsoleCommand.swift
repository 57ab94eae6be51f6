import ConclaveBridge
import ConclaveProtocol

/// Something the person asked the page to do on one server, carried out on that server's
/// watcher session (so it is sent as the console's own session, signed and sealed like `send`).
enum ConsoleCommand: Sendable {
    /// Post `text` to a channel the console follows.
    case post(channel: String, text: String)
    /// Whisper `text` to one session.
    case whisper(target: SessionPath, text: String)
    /// Answer a permission request that `to` (the requesting bridge) sealed to this machine.
    case verdict(ApprovalPrompt, to: SessionPath, allow: Bool)
}
