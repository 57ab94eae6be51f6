import ConclaveProtocol
import ConclaveTransport
import ConclaveClient
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
        // A ping every 15 s keeps the session from being reaped as idle while nothing comes.
        let messageID = id
        let outcome = try await session.stream(pingEvery: .seconds(15), silenceLimit: .seconds(45), until: .now + timeout) { _, frame -> SendOutcome? in
            guard case let .receiptUpdate(updated, record) = frame, updated == messageID else { return nil }
            latest[record.recipient] = record
            Output.note("  \(Self.line(record))")
            return reached(latest)
        }
        if let outcome { return outcome }
        let states = latest.values.sorted { $0.recipient.description < $1.recipient.description }.map(Self.line)
        return .timedOut("no recipient reached `\(wanted)` within \(timeout.components.seconds) s (\(states.joined(separator: "; ")))")
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
