import ConclaveProtocol
import ConclaveStorage
import Synchronization

/// A post the hub accepted (the sender is a member) whose batch is not yet committed.
///
/// Its ``ProtocolMessage`` reply, `Ack` once the post is durable or `Error` if storing it failed,
/// is set exactly once by the hub; whoever waits for it either gets it or is nudged to look again,
/// and perhaps commit the next batch itself (see `Hub.reply(to:)`).
final class PendingPost: Sendable {
    /// The record to store.
    let message: NewMessage
    /// The body delivered to the channel's other subscribers once committed.
    let payload: Payload
    /// The sender's signature, relayed to subscribers that speak `signatures`.
    let signature: MessageSignature?
    /// The sending session (not delivered to itself).
    let sender: ServerSession
    /// The message id (the `receipts` extension): in the frame to subscribers that speak it, and
    /// in the reply to a sender that does.
    let id: UInt64

    private struct State {
        var reply: ProtocolMessage?
        var waiter: CheckedContinuation<Void, Never>?
        /// A nudge that arrived while nobody waited: the next ``wait()`` returns at once.
        var nudged = false
    }

    private let state = Mutex(State())

    init(message: NewMessage, payload: Payload, signature: MessageSignature?, sender: ServerSession, id: UInt64) {
        self.message = message
        self.payload = payload
        self.signature = signature
        self.sender = sender
        self.id = id
    }

    /// The reply, once the post's batch has been committed (or failed).
    var reply: ProtocolMessage? { state.withLock { $0.reply } }

    /// Sets the reply and wakes the waiter.
    func complete(_ reply: ProtocolMessage) {
        state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.reply = reply
            defer { state.waiter = nil }
            return state.waiter
        }?.resume()
    }

    /// Wakes the waiter without a reply (its turn, perhaps, to commit the next batch); with no
    /// waiter yet, the next ``wait()`` returns at once, so a nudge is never lost to a waiter that
    /// was on its way.
    func nudge() {
        state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard let waiter = state.waiter else {
                state.nudged = true
                return nil
            }
            state.waiter = nil
            return waiter
        }?.resume()
    }

    /// Waits until ``complete(_:)`` or ``nudge()``; returns at once if the reply is already set
    /// or a nudge is pending.
    func wait() async {
        await withCheckedContinuation { continuation in
            let ready = state.withLock { state -> Bool in
                if state.reply != nil { return true }
                if state.nudged {
                    state.nudged = false
                    return true
                }
                state.waiter = continuation
                return false
            }
            if ready { continuation.resume() }
        }
    }
}
