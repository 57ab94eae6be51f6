import ArgumentParser
import ConclaveProtocol

/// `conclave invite`: invite tokens for private channels.
struct InviteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "invite",
        abstract: "Create, list or revoke invite tokens (channel admins).",
        discussion: "Someone redeems a token with `conclave join <channel> --token <token>` and becomes a member.",
        subcommands: [InviteCreateCommand.self, InviteListCommand.self, InviteRevokeCommand.self]
    )
}
