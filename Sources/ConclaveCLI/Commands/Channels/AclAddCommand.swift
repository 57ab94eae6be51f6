import ArgumentParser
import ConclaveProtocol

/// `conclave acl add --channel C <user>`.
struct AclAddCommand: ChannelUserVerb {
    static let configuration = CommandConfiguration(commandName: "add", abstract: "Make a user a member (also lifts a ban).")

    @Argument(help: "The username.")
    var user: String

    @OptionGroup var channel: ChannelOption
    @OptionGroup var server: ServerOptions
    @OptionGroup var global: GlobalOptions

    static func operation(channel: String, user: String) -> AdminOp {
        .aclAdd(channel: channel, user: user)
    }
}
