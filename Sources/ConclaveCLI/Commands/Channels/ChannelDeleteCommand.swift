import ArgumentParser
import ConclaveProtocol

/// `conclave channel delete <name>`.
struct ChannelDeleteCommand: ConfirmedRemoval {
    static let configuration = CommandConfiguration(
        commandName: "delete", abstract: "Delete a channel with its history, members, bans and invites.")

    @Argument(help: "The channel name.")
    var name: String

    @OptionGroup var confirmation: ConfirmOptions
    @OptionGroup var server: ServerOptions
    @OptionGroup var global: GlobalOptions

    var subject: String { name }

    static func operation(_ name: String) -> AdminOp { .deleteChannel(name: name) }

    static func question(_ name: String, server: String) -> String {
        "Delete #\(name) on \(server), with its history, members, bans and invites?"
    }

    static func done(_ name: String, server: String) -> String {
        "✓ deleted #\(name) on \(server): its history, members, bans and invites are gone, and its live members were told"
    }
}
