import ConclaveIdentity
import ConclaveProtocol
import ConclaveTransport
import ConclaveClient
import Logging
import Synchronization

/// One registered identity opening many sessions (`load/m/<handle>`) on a Conclave server.
struct Fleet: Sendable {
    let url: ServerURL
    let key: SigningKey
    let username: String
    static let quietLogger = Logger(label: "conclave.load") { _ in SwiftLogNoOpLogHandler() }

    /// Registers a fresh key as `username` (a new name per run).
    static func register(url: String, username: String) async throws -> Fleet {
        let url = try ServerURL(url)
        let key = try SigningKey.generate()
        let client = ControlClient(url: url, key: key, session: "register", logger: quietLogger)
        _ = try await client.register(username: username, machine: "m")
        return Fleet(url: url, key: key, username: username)
    }

    func client(_ session: String, url: ServerURL? = nil, extensions: Set<ProtocolExtension> = []) -> ControlClient {
        ControlClient(
            url: url ?? self.url, key: key, session: session, timeouts: TransportTimeouts(connect: .seconds(60), reply: .seconds(60)),
            extensions: extensions, logger: Self.quietLogger)
    }

    /// The server for subscriber `index`: round-robin over `spread` (several instances of one
    /// cluster), or the fleet's own server.
    func subscriberURL(_ index: Int, spread: [ServerURL]) -> ServerURL {
        spread.isEmpty ? url : spread[index % spread.count]
    }

    /// Parses `--subscriber-urls` (comma-separated).
    static func urls(_ list: String?) throws -> [ServerURL] {
        try (list ?? "").split(separator: ",").map { try ServerURL(String($0)) }
    }

    /// Posts `frame` `count` times, `window` at a time, waiting for every `Ack` of a window (so
    /// each post is persisted) before sending the next.
    static func post(_ frame: ByteBufferFrame, count: Int, window: Int, on session: inout ControlSession) async throws {
        var sent = 0
        while sent < count {
            let batch = min(window, count - sent)
            for _ in 0..<batch { try await session.outbound.send(encoded: frame.buffer) }
            var acknowledged = 0
            while acknowledged < batch {
                if case .ack = try await session.next() { acknowledged += 1 }
            }
            sent += batch
        }
    }

    /// A 200-byte (or `size`) body starting with `prefix`.
    static func body(_ prefix: String, size: Int) -> String {
        prefix.count >= size ? prefix : prefix + String(repeating: "x", count: size - prefix.count)
    }
}

/// A counter shared by many tasks.
final class Counter: Sendable {
    private let value = Atomic<Int>(0)

    @discardableResult
    func increment(by amount: Int = 1) -> Int { value.add(amount, ordering: .relaxed).newValue }

    var current: Int { value.load(ordering: .relaxed) }

    /// Waits until the counter reaches `target`, polling; `false` after `timeout`, or once it has
    /// not moved for `stallLimit` (a run that stopped makes no progress: fail it early and loudly).
    func wait(for target: Int, timeout: Duration, stallLimit: Duration? = nil) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        var seen = current
        var lastProgress = ContinuousClock.now
        while current < target {
            let now = ContinuousClock.now
            if now > deadline { return false }
            if current != seen {
                seen = current
                lastProgress = now
            } else if let stallLimit, lastProgress.duration(to: now) > stallLimit {
                return false
            }
            try? await Task.sleep(for: .milliseconds(2))
        }
        return true
    }
}

/// Latency samples from many tasks.
final class Samples: Sendable {
    private let values = Mutex<[Double]>([])

    func append(_ value: Double) { values.withLock { $0.append(value) } }

    func sorted() -> [Double] { values.withLock { $0.sorted() } }
}
