import ArgumentParser
import ConclaveClient
import ConclaveIdentity
import ConclaveProtocol
import Foundation

/// `conclave send --channel C [text]`: posts one message (the text, or standard input).
struct SendCommand: AsyncParsableCommand, GlobalOptionsProviding {
    static let configuration = CommandConfiguration(
        commandName: "send",
        abstract: "Post a message to a channel.",
        discussion: """
            The text is the argument, or standard input when it is omitted (one trailing newline is \
            dropped). A text starting with `-` needs `--` before it. Local permission levels do not \
            apply: they govern what a Claude Code session may do, not you.
            """
    )

    @OptionGroup var channel: ChannelOption

    @Argument(help: "The message (default: read standard input).")
    var text: String?

    // Tokens may begin with `-` (base64url); the next word is the value whatever it looks like.
    @Option(parsing: .unconditional, help: "An invite token, for a private channel you are not a member of yet.")
    var token: String?

    @Option(help: ArgumentHelp(
        "Wait until a recipient session reaches this state: delivered, injected or acked (needs a server with receipts).",
        valueName: "state"), transform: SendCommand.waitState)
    var wait: ReceiptState?

    @Option(help: ArgumentHelp("How long --wait waits, e.g. 30s or 5m (at most 1h).", valueName: "duration"), transform: SendCommand.duration)
    var timeout: UInt64 = 30

    static func waitState(_ text: String) throws -> ReceiptState {
        guard let state = try? ReceiptState(token: text), [.delivered, .injected, .acked].contains(state) else {
            throw ValidationError("--wait takes delivered, injected or acked, not `\(text)`")
        }
        return state
    }

    static func duration(_ text: String) throws -> UInt64 {
        var seconds: UInt64 = 0
        try UsageCheck.value { seconds = try DurationText.seconds(parsing: text) }
        guard seconds > 0, seconds <= 3600 else { throw ValidationError("--timeout must be between 1s and 1h") }
        return seconds
    }

    @OptionGroup var server: ServerOptions
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let channel = channel.channel
        try SessionPath.validateComponent(channel, kind: .channel)
        let body = try text ?? Self.readStandardInput()
        guard !body.isEmpty else { throw CLIError("the message is empty") }
        // Ids and receipts are asked for always: a server without them answers plain v1.
        let remote = try RemoteServer(global: global, server: server, extensions: [.receipts, .signatures, .e2e])
        let token = token
        let wait = wait
        let timeout = Duration.seconds(timeout)
        let outcome = try await remote.explained {
            try await remote.client.withSession { session -> SendOutcome in
                let joined = try await session.request(.join(channel: channel, token: token))
                guard case .joined = joined else { return .refused("join", joined) }
                var payload = Payload.plain(body)
                if let channels = try remote.endToEnd(for: session) {
                    switch try await session.envelope(for: body, to: channel, with: channels, nowMs: EpochClock.nowMs()) {
                    case let .sealed(sealed, unreadableBy):
                        for machine in unreadableBy { Output.note("⚠ not readable by \(TerminalText.sanitized(machine))") }
                        payload = sealed
                    case .plain: break
                    case let .refused(step, reply): return .refused(step, reply)
                    }
                }
                // Signed when the server relays signatures; a reference server gets v1.
                let post = try remote.trust(for: session)?.post(payload, to: channel, as: session.path, nowMs: EpochClock.nowMs())
                let sent = try await session.request(post ?? .channelMessage(channel: channel, from: session.path, payload: payload))
                switch sent {
                case .ack:
                    return wait == nil ? .sent(id: nil) : .noReceipts
                case let .posted(id):
                    try Output.line("✓ sent to \(channel) (id \(id))")
                    guard let wait else { return .sent(id: id) }
                    // Who it was handed to, and anything reported meanwhile.
                    let listed = try await session.request(.receiptQuery(id: id))
                    var known: [ReceiptRecord] = if case let .receiptList(_, records) = listed { records } else { [] }
                    known += session.takeReceiptUpdates().filter { $0.id == id }.map(\.record)
                    return try await ReceiptWaiter(id: id, wanted: wait, timeout: timeout, known: known).run(&session)
                default:
                    return .refused("send", sent)
                }
            }
        }
        switch outcome {
        case .sent(nil):
            try Output.line("✓ sent to \(channel)")
        case .sent, .reached:
            break
        case .noReceipts:
            throw CLIError("the message was sent, but --wait needs receipts: \(remote.noReceipts())")
        case let .refused(step, reply):
            throw Self.rejected(step, reply, remote)
        case let .timedOut(message):
            throw CLIError(message)
        }
    }

    private static func rejected(_ step: String, _ reply: ProtocolMessage, _ remote: RemoteServer) -> CLIError {
        if case let .error(error) = reply { return CLIError("\(step) rejected: \(ServerAdvice.refusal(error, url: remote.url))") }
        return CLIError("unexpected response to \(step) from \(remote.url): \(reply.name)")
    }

    private static func readStandardInput() throws -> String {
        if isatty(STDIN_FILENO) == 1 {
            throw CLIError("no message given: pass the text as an argument, or pipe it on standard input")
        }
        let data: Data
        do {
            data = try FileHandle.standardInput.readToEnd() ?? Data()
        } catch {
            throw CLIError("could not read standard input: \(error.localizedDescription)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw CLIError("standard input is not UTF-8 text")
        }
        return text.hasSuffix("\n") ? String(text.dropLast()) : text
    }
}
