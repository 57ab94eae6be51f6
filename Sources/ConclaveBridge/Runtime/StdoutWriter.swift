#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Synchronization

/// Writes JSON-RPC lines to stdout, whole lines only, in call order, from a thread of its own.
///
/// `write` only queues: a client that reads slowly blocks this writer's thread in `write(2)`,
/// never a thread of Swift's cooperative pool (which the bridge's actor and links run on).
/// stdout carries nothing but JSON-RPC. When it fails (the client went away), or when the client
/// leaves more than `maximumBacklog` bytes unread, `onFailure` runs once; the bridge then ends
/// instead of running on without output (reference gap 32).
final class StdoutWriter: Sendable {
    private struct State {
        var lines: [String] = []
        var queuedBytes = 0
        var writing = false
        var failed = false
        var closed = false
        var drainWaiters: [Int: CheckedContinuation<Void, Never>] = [:]
        var nextWaiter = 0
        /// Waiters whose time ran out before they started waiting.
        var expiredWaiters: Set<Int> = []

        var isIdle: Bool { failed || (lines.isEmpty && !writing) }

        mutating func takeDrainWaiters() -> [CheckedContinuation<Void, Never>] {
            defer { drainWaiters = [:] }
            return Array(drainWaiters.values)
        }
    }

    private let state = Mutex(State())
    private let wake = DispatchSemaphore(value: 0)
    private let descriptor: Int32
    private let maximumBacklog: Int
    private let onFailure: @Sendable (String) -> Void

    /// A writer to `descriptor` (stdout unless a test says otherwise), with its thread started.
    init(descriptor: Int32 = STDOUT_FILENO, maximumBacklog: Int = 64 << 20, onFailure: @escaping @Sendable (String) -> Void) {
        self.descriptor = descriptor
        self.maximumBacklog = maximumBacklog
        self.onFailure = onFailure
        let thread = Thread { [self] in drainLoop() }
        thread.name = "conclave-stdout"
        thread.start()
    }

    /// Writes `line` and a newline, or queues them for the writer's thread; never waits.
    ///
    /// When nothing is queued and the descriptor has room, a line of at most `PIPE_BUF` bytes is
    /// written at once (such a write cannot block, and is not split): the common case costs no
    /// hand-over to the thread. Anything else goes through the queue, so lines stay in order.
    func write(_ line: String) {
        let bytes = Array((line + "\n").utf8)
        let outcome = state.withLock { state -> WriteOutcome in
            guard !state.failed, !state.closed else { return .dropped }
            if state.lines.isEmpty, !state.writing, bytes.count <= Self.atomicWriteLimit, hasRoom() {
                guard let error = writeAll(bytes) else { return .written }
                state.failed = true
                return .failed(error)
            }
            state.lines.append(line)
            state.queuedBytes += bytes.count
            guard state.queuedBytes > maximumBacklog else { return .queued }
            state.failed = true
            return .failed("the client left more than \(maximumBacklog >> 20) MiB of output unread")
        }
        switch outcome {
        case .queued: wake.signal()
        case let .failed(reason): onFailure(reason)
        case .written, .dropped: break
        }
    }

    private enum WriteOutcome {
        case written, queued, dropped
        case failed(String)
    }

    /// `PIPE_BUF`: a pipe write of at most this many bytes is atomic, and one that `poll` says
    /// has room does not block.
    #if os(Linux)
    private static let atomicWriteLimit = 4096
    #else
    private static let atomicWriteLimit = 512
    #endif

    /// Whether the descriptor takes bytes now (poll without waiting).
    private func hasRoom() -> Bool {
        var entry = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
        return poll(&entry, 1, 0) == 1 && entry.revents & Int16(POLLOUT) != 0 && entry.revents & Int16(POLLERR | POLLHUP) == 0
    }

    /// Returns once everything queued so far is written, writing failed, or `timeout` passed
    /// (a client that stopped reading must not hold the bridge's exit); says whether it drained.
    @discardableResult
    func drain(within timeout: Duration) async -> Bool {
        let id = state.withLock { state in
            defer { state.nextWaiter += 1 }
            return state.nextWaiter
        }
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                await withCheckedContinuation { continuation in
                    let idle = self.state.withLock { state -> Bool in
                        guard !state.isIdle, state.expiredWaiters.remove(id) == nil else { return true }
                        state.drainWaiters[id] = continuation
                        return false
                    }
                    if idle { continuation.resume() }
                }
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                let waiter = self.state.withLock { state in
                    guard let waiter = state.drainWaiters.removeValue(forKey: id) else {
                        state.expiredWaiters.insert(id)
                        return nil as CheckedContinuation<Void, Never>?
                    }
                    return waiter
                }
                waiter?.resume()
            }
            await group.next()
            group.cancelAll()
        }
        return state.withLock { state in
            state.expiredWaiters.remove(id)
            return state.isIdle
        }
    }

    /// Stops the thread once what is queued is written; later writes are dropped.
    func close() {
        state.withLock { $0.closed = true }
        wake.signal()
    }

    private func drainLoop() {
        while true {
            wake.wait()
            while true {
                let batch = state.withLock { state -> [String]? in
                    guard !state.failed, !state.lines.isEmpty else { return nil }
                    defer { state.lines = []; state.queuedBytes = 0 }
                    state.writing = true
                    return state.lines
                }
                guard let batch else { break }
                let error = writeAll(Array((batch.joined(separator: "\n") + "\n").utf8))
                let (waiters, firstFailure) = state.withLock { state -> ([CheckedContinuation<Void, Never>], Bool) in
                    state.writing = false
                    let firstFailure = error != nil && !state.failed
                    if error != nil { state.failed = true }
                    return (state.isIdle ? state.takeDrainWaiters() : [], firstFailure)
                }
                for waiter in waiters { waiter.resume() }
                if let error {
                    if firstFailure { onFailure(error) }
                    break
                }
            }
            let (done, waiters) = state.withLock { state in
                (state.failed || (state.closed && state.lines.isEmpty), state.isIdle ? state.takeDrainWaiters() : [])
            }
            for waiter in waiters { waiter.resume() }
            if done { return }
        }
    }

    /// Writes all of `bytes`, or returns why it could not.
    private func writeAll(_ bytes: [UInt8]) -> String? {
        var remaining = bytes[...]
        while !remaining.isEmpty {
            let count = remaining.withUnsafeBytes { systemWrite(descriptor, $0.baseAddress, $0.count) }
            if count >= 0 {
                remaining = remaining.dropFirst(count)
            } else if errno != EINTR {
                return String(cString: strerror(errno))
            }
        }
        return nil
    }
}

/// `write(2)`, reachable from inside `StdoutWriter` (whose own `write` would shadow it).
private func systemWrite(_ descriptor: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int {
    write(descriptor, buffer, count)
}
