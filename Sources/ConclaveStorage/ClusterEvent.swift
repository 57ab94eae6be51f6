public import Foundation

/// Something one instance did that the others must reflect in their own sessions.
///
/// Encoded as JSON in notifications (bodies as `Data`, so base64: PostgreSQL caps a notification
/// at 8000 bytes); a receiver decodes it and checks each field before acting on it.
public enum ClusterEvent: Sendable, Hashable, Codable {
    /// A channel message was stored; `payload` is absent when it was too large to carry, and is
    /// then read from the store by number (with its signature, which is absent here then too).
    case posted(channelID: Int64, channel: String, seq: Int64, from: String, payload: Data?, receiptID: UInt64, signature: Data?)
    /// A whisper for a session connected to another instance, with the sender's signature if it
    /// signed.
    case whisper(target: String, from: String, payload: Data, receiptID: UInt64, signature: Data?)
    /// `path` connected again (on some instance) with `token`: any other session on that path ends.
    case superseded(path: String, token: UInt64)
    /// `user`'s sessions (or only `path`) lose their subscription to `channel`, told `notice`.
    case unsubscribed(channel: String, user: String, path: String?, notice: String)
    /// `user` is banned from `channel` (and unsubscribed, told `notice`).
    case banned(channel: String, user: String, notice: String)
    /// `user` is no longer banned from `channel`.
    case unbanned(channel: String, user: String)
    /// `channel` is gone; its subscribers are told `notice`.
    case channelDeleted(channel: String, notice: String)
    /// `channel` is now end-to-end encrypted: plain posts to it are refused.
    case channelEncrypted(channel: String)
    /// `channel` is now called `to`; its subscribers are told `notice`.
    case channelRenamed(channel: String, to: String, notice: String)
    /// `user`'s machine `machine` (every machine when `nil`) lost access: its sessions end with
    /// `reason`, and `deletedChannels` (the user's, when the account was removed) are gone.
    case revoked(user: String, machine: String?, reason: String, deletedChannels: [String])
}
