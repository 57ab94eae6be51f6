import ConclaveProtocol

/// Whispers waiting for their target session to connect (the `receipts` extension's
/// `HeldWhisper`), bounded per sender and in all; each expires after its hold.
struct HeldWhispers {
    struct Held {
        let id: UInt64
        let from: SessionPath
        let target: SessionPath
        let payload: Payload
        let signature: MessageSignature?
        let expiresMs: Int64
    }

    static let perUserLimit = 100
    static let totalLimit = 10_000
    static let longestHoldSeconds: UInt32 = 24 * 3600

    private(set) var held: [Held] = []

    /// Holds a whisper; `false` when a bound is reached.
    mutating func hold(_ whisper: Held) -> Bool {
        guard held.count < Self.totalLimit, held.count(where: { $0.from.user == whisper.from.user }) < Self.perUserLimit else {
            return false
        }
        held.append(whisper)
        return true
    }

    /// Takes the whispers waiting for `path`, oldest first.
    mutating func take(for path: SessionPath) -> [Held] {
        let taken = held.filter { $0.target == path }
        if !taken.isEmpty { held.removeAll { $0.target == path } }
        return taken
    }

    /// Takes the whispers whose hold ended.
    mutating func takeExpired(nowMs: Int64) -> [Held] {
        let expired = held.filter { $0.expiresMs <= nowMs }
        if !expired.isEmpty { held.removeAll { $0.expiresMs <= nowMs } }
        return expired
    }
}
