/// Size limits shared by every transport.
public enum FrameLimits {
    /// The largest frame (WebSocket message or stream frame body) a peer accepts: 16 MiB.
    public static let maxFrameBytes = 16 * 1024 * 1024
}
