import ConclaveProtocol
import ConclaveTransport
import Synchronization

/// Commands from the page waiting for one server's watcher, and the way to wake it.
///
/// The watcher reads frames in one loop (``ControlSession/stream``). A command is queued here,
/// then a `Ping` is sent on the watcher's connection: its `Pong` wakes the loop, which carries
/// out every queued command before it reads on. Without a connection a command fails at once.
final class CommandInbox: Sendable {
    /// The outcome the page is told: what was done, or why not.
    typealias Outcome = Result<String, ConsoleFailure>

    private struct Pending: Sendable {
        var command: ConsoleCommand
        var reply: AsyncStream<Outcome>.Continuation
    }

    private let state = Mutex<(pending: [Pending], outbound: FrameOutbound?)>(([], nil))
    /// Most commands waiting at once: a page cannot queue without bound.
    static let capacity = 64

    /// Hands `command` to the watcher and waits for its outcome.
    func perform(_ command: ConsoleCommand) async -> Outcome {
        let (replies, reply) = AsyncStream<Outcome>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let outbound = state.withLock { state -> FrameOutbound? in
            guard let outbound = state.outbound, state.pending.count < Self.capacity else { return nil }
            state.pending.append(Pending(command: command, reply: reply))
            return outbound
        }
        guard let outbound else { return .failure(ConsoleFailure("not connected to this server now; try again once it is")) }
        do {
            try await outbound.send(.ping)
        } catch {
            // The connection just ended: the watcher fails what is queued as it detaches.
        }
        for await outcome in replies { return outcome }
        return .failure(ConsoleFailure("the connection to this server ended before the request was carried out"))
    }

    /// The watcher's connection is up: commands go to it.
    func attach(_ outbound: FrameOutbound) {
        state.withLock { $0.outbound = outbound }
    }

    /// The connection is gone: what is queued fails, and new commands fail at once.
    func detach() {
        let dropped = state.withLock { state -> [Pending] in
            state.outbound = nil
            defer { state.pending = [] }
            return state.pending
        }
        for pending in dropped {
            pending.reply.yield(.failure(ConsoleFailure("the connection to this server ended before the request was carried out")))
            pending.reply.finish()
        }
    }

    /// The oldest queued command, with the way to report its outcome.
    func take() -> (command: ConsoleCommand, finish: @Sendable (Outcome) -> Void)? {
        state.withLock { state in
            guard !state.pending.isEmpty else { return nil }
            let pending = state.pending.removeFirst()
            return (pending.command, { outcome in
                pending.reply.yield(outcome)
                pending.reply.finish()
            })
        }
    }
}

/// Why a console request was not carried out, in words for the page.
struct ConsoleFailure: Error, Sendable, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
