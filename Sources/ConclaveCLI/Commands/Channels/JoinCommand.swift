import ArgumentParser
import ConclaveIdentity
import ConclaveProtocol

/// `conclave join <channel> [--token T] [--perm L]`: checks access, redeems an invite, and
/// optionally sets this machine's level for the channel.
struct JoinCommand: AsyncParsableCommand, GlobalOptionsProviding {
    static let configuration = CommandConfiguration(
        commandName: "join",
        abstract: "Check that you can join a channel, redeem an invite, and optionally set your level for it.",
        discussion: """
            This command's own connection leaves again at once: live Claude Code sessions subscribe with \
            the bridge's join_channel tool. With --token, the invite makes you a member for good. With \
            --perm, the level is saved only after the server let you in.
            """
    )

    @Argument(help: "The channel.")
    var channel: String

    // Tokens may begin with `-` (base64url); the next word is the value whatever it looks like.
    @Option(parsing: .unconditional, help: "An invite token (needed for a private channel you are not a member of).")
    var token: String?

    @Option(help: "Also set this machine's level for the channel: mute, notify, converse or act.")
    var perm: String?

    @OptionGroup var server: ServerOptions
    @OptionGroup var global: GlobalOptions

    func validate() throws {
        try UsageCheck.value {
            try SessionPath.validateComponent(channel, kind: .channel)
            _ = try perm.map { text throws(ValueParseError) in try PermissionLevel(token: text) }
        }
    }

    func run() async throws {
        let level = try perm.map { text throws(ValueParseError) in try PermissionLevel(token: text) }
        let remote = try RemoteServer(global: global, server: server)
        let file = ConfigFile(directory: remote.directory)
        if level != nil { _ = try file.load() }
        let reply = try await remote.request(.join(channel: channel, token: token))
        guard case let .joined(joined) = reply else { throw remote.unexpected(reply) }
        try Output.line("✓ joined \(joined)")
        if let level {
            do {
                try file.update { $0.setPermission(level, server: remote.url, scope: .channel(channel)) }
            } catch {
                throw CLIError("joined `\(joined)` but could not save the level: \(error). Fix that, then run `conclave perm set \(level) --server \(remote.url) --channel \(channel)`")
            }
            Output.note("note: access verified and `\(channel)` set to \(level) on this machine; a live session subscribes with the join_channel tool")
        } else {
            Output.note("note: access verified; a live session subscribes with the join_channel tool")
        }
    }
}
