import ArgumentParser
import ConclaveIdentity
import ConclaveProtocol
import Foundation

/// `conclave receipts <id>`: where one of your messages stands for each recipient session.
struct ReceiptsCommand: AsyncParsableCommand, GlobalOptionsProviding {
    static let configuration = CommandConfiguration(
        commandName: "receipts",
        abstract: "Show where one of your messages stands for each recipient session.",
        discussion: """
            The id is the one `conclave send` prints (or a bridge's send_channel or whisper returns). \
            States: relayed (the server handed it over), delivered (the recipient's bridge has it), \
            injected (shown to its model), held, refused, acked (its model acknowledged it), expired \
            (a held whisper whose recipient never came). Only the sender's user can read them; the \
            server keeps them for 24 h. Needs a server with the receipts extension.
            """
    )

    @Argument(help: ArgumentHelp("The message id.", valueName: "id"))
    var id: UInt64

    @OptionGroup var server: ServerOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let remote = try RemoteServer(global: global, server: server, extensions: [.receipts])
        let id = id
        let reply = try await remote.explained {
            try await remote.client.withSession { session -> ProtocolMessage? in
                guard session.extensions.contains(.receipts) else { return nil }
                return try await session.request(.receiptQuery(id: id))
            }
        }
        guard let reply else { throw remote.noReceipts() }
        guard case let .receiptList(_, records) = reply else { throw remote.unexpected(reply) }
        var table = Table("RECIPIENT", "STATE", "AT", "DETAIL")
        for record in records {
            table.append(
                TerminalText.sanitized(record.recipient.description), record.state.token, Self.time(record.atMs),
                TerminalText.sanitized(record.detail ?? ""))
        }
        let json = JSONDocument.object([
            "id": .int(Int64(clamping: id)),
            "receipts": .array(records.map { record in
                .object([
                    "recipient": .string(record.recipient.description), "state": .string(record.state.token),
                    "at_ms": .int(record.atMs), "detail": .optional(record.detail),
                ])
            }),
        ])
        try Listing.emit(table, json: json, options: output, emptyNote: "message \(id) has no recipient yet")
    }

    /// UTC `YYYY-MM-DDTHH:MM:SSZ`.
    static func time(_ ms: Int64) -> String {
        RFC3339Milliseconds.wholeSecondsText(ms: ms)
    }
}
