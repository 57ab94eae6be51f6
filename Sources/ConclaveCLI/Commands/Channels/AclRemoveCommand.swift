import ArgumentParser
import ConclaveProtocol

/// `conclave acl remove --channel C <user>`.
struct AclRemoveCommand: ChannelUserVerb {
    static let configuration = CommandConfiguration(
        commandName: "remove", abstract: "Remove a member; their live sessions leave the channel.")

    @Argument(help: "The username.")
    var user: String

    @OptionGroup var channel: ChannelOption
    @OptionGroup var server: ServerOptions
    @OptionGroup var global: GlobalOptions

    static func operation(channel: String, user: String) -> AdminOp {
        .aclRemove(channel: channel, user: user)
    }
}
