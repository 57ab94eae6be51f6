import ArgumentParser
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

    @Option(help: "An invite token, for a private channel you are not a member of yet.")
    var token: String?

    @OptionGroup var server: ServerOptions
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let channel = channel.channel
        try SessionPath.validateComponent(channel, kind: .channel)
        let body = try text ?? Self.readStandardInput()
        guard !body.isEmpty else { throw CLIError("the message is empty") }
        let remote = try RemoteServer(global: global, server: server)
        let token = token
        let (joinReply, sendReply) = try await remote.explained {
            try await remote.client.withSession { session -> (ProtocolMessage, ProtocolMessage?) in
                let joined = try await session.request(.join(channel: channel, token: token))
                guard case .joined = joined else { return (joined, nil) }
                let sent = try await session.request(.channelMessage(channel: channel, from: session.path, payload: .plain(body)))
                return (joined, sent)
            }
        }
        guard case .joined = joinReply else { throw Self.rejected("join", joinReply, remote) }
        guard case .ack = sendReply else { throw Self.rejected("send", sendReply ?? joinReply, remote) }
        try Output.line("✓ sent to \(channel)")
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
