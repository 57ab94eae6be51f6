import ArgumentParser
import ConclaveProtocol

/// `conclave invite`: invite tokens for private channels.
struct InviteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "invite",
        abstract: "Create, list or revoke invite tokens (channel admins).",
        discussion: "Someone redeems a token with `conclave join <channel> --token <token>` and becomes a member.",
        subcommands: [Create.self, List.self, Revoke.self]
    )
}

extension InviteCommand {
    /// `conclave invite create --channel C [--uses N] [--expires-in D]`.
    struct Create: AsyncParsableCommand, GlobalOptionsProviding {
        static let configuration = CommandConfiguration(commandName: "create", abstract: "Create an invite token for a channel.")

        @OptionGroup var channel: ChannelOption

        // Unconditional, so `--uses -1` is read as a (refused) value rather than a missing one.
        @Option(parsing: .unconditional, help: "How many times the token may be used, at least 1 (default: unlimited).")
        var uses: UInt32?

        @Option(help: ArgumentHelp("How long the token is valid, e.g. 90, 30m, 2h, 7d, 1h30m (default: forever).", valueName: "duration"))
        var expiresIn: String?

        @OptionGroup var server: ServerOptions
        @OptionGroup var global: GlobalOptions

        func validate() throws {
            if uses == 0 { throw ValidationError("--uses must be at least 1 (leave it out for unlimited uses)") }
            try UsageCheck.value { _ = try expiresIn.map { text throws(ValueParseError) in try DurationText.seconds(parsing: text) } }
        }

        func run() async throws {
            let seconds = try expiresIn.map { text throws(ValueParseError) in try DurationText.seconds(parsing: text) }
            let remote = try RemoteServer(global: global, server: server)
            let reply = try await remote.request(.admin(.inviteCreate(channel: channel.channel, uses: uses, expiresInSecs: seconds)))
            guard case let .inviteToken(token) = reply else { throw remote.unexpected(reply) }
            try Output.line("invite token: \(token)")
        }
    }
}

extension InviteCommand {
    /// `conclave invite list --channel C`.
    struct List: AsyncParsableCommand, GlobalOptionsProviding {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List a channel's live invite tokens.")

        @OptionGroup var channel: ChannelOption
        @OptionGroup var server: ServerOptions
        @OptionGroup var output: OutputOptions
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let remote = try RemoteServer(global: global, server: server)
            let reply = try await remote.request(.admin(.inviteList(channel: channel.channel)))
            guard case let .inviteList(invites) = reply else { throw remote.unexpected(reply) }
            try Listing.emit(invites, columns: [
                .text("TOKEN", "token", \.token),
                ListingColumn(header: "USES LEFT", key: "uses_remaining", cell: { $0.usesRemaining.map(String.init) ?? "unlimited" }) {
                    .optional($0.usesRemaining)
                },
                ListingColumn(header: "EXPIRES", key: "expires_at", cell: { $0.expiresAt ?? "never" }) { .optional($0.expiresAt) },
            ], options: output, emptyNote: "`\(channel.channel)` has no live invites")
        }
    }
}

extension InviteCommand {
    /// `conclave invite revoke <token>`.
    struct Revoke: AsyncParsableCommand, GlobalOptionsProviding {
        static let configuration = CommandConfiguration(
            commandName: "revoke",
            abstract: "Revoke an invite token.",
            discussion: """
                The server answers the same whether or not the token existed, so a token cannot be probed; \
                check with `conclave invite list`.
                """
        )

        @Argument(help: "The token.")
        var token: String

        @OptionGroup var server: ServerOptions
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let remote = try RemoteServer(global: global, server: server)
            try Output.line(try await remote.acknowledged(.inviteRevoke(token: token), fallback: token))
        }
    }
}
