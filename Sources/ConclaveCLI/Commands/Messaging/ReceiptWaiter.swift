import ConclaveProtocol
import ConclaveTransport
import Foundation

/// `send --wait`: prints each recipient's progress until one reaches the wanted state, keeping
/// the connection alive with pings while it waits.
struct ReceiptWaiter {
    let id: UInt64
    let wanted: ReceiptState
    let timeout: Duration
    /// The recipients the server listed right after the post, and updates that came with them.
    let known: [ReceiptRecord]

    func run(_ session: inout ControlSession) async throws -> SendOutcome {
        var latest: [SessionPath: ReceiptRecord] = [:]
        for record in known { latest[record.recipient] = record }
        guard !latest.isEmpty else {
            return .timedOut("no other session received message \(id) (nobody else is subscribed): nothing to wait for")
        }
        for record in latest.values.sorted(by: { $0.recipient.description < $1.recipient.description }) {
            Output.note("  \(Self.line(record))")
        }
        if let done = reached(latest) { return done }
        let deadline = ContinuousClock.now + timeout
        let outbound = session.outbound
        return try await withThrowingTaskGroup(of: Void.self) { group in
            // A ping every 15 s keeps the session from being reaped as idle while nothing comes.
            group.addTask {
                while true {
                    try await Task.sleep(for: .seconds(15))
                    try await outbound.send(.ping)
                }
            }
            defer { group.cancelAll() }
            while true {
                let frame: ProtocolMessage
                do {
                    // Past the deadline the connection is closed: nothing else is wanted from it.
                    frame = try await session.next(within: max(deadline - .now, .milliseconds(1)), waitingFor: "receipts")
                } catch TransportError.timedOut {
                    let states = latest.values.sorted { $0.recipient.description < $1.recipient.description }.map(Self.line)
                    return .timedOut("no recipient reached `\(wanted)` within \(timeout.components.seconds) s (\(states.joined(separator: "; ")))")
                }
                guard case let .receiptUpdate(updated, record) = frame, updated == id else { continue }
                latest[record.recipient] = record
                Output.note("  \(Self.line(record))")
                if let done = reached(latest) { return done }
            }
        }
    }

    private func reached(_ latest: [SessionPath: ReceiptRecord]) -> SendOutcome? {
        latest.values.contains { $0.state.progress >= wanted.progress && $0.state != .held && $0.state != .refused && $0.state != .expired }
            ? .reached : nil
    }

    static func line(_ record: ReceiptRecord) -> String {
        let detail = record.detail.map { " (\(TerminalText.sanitized($0)))" } ?? ""
        return "\(TerminalText.sanitized(record.recipient.description)): \(record.state)\(detail)"
    }
}
