import ArgumentParser
import ConclaveProtocol

/// `conclave acl list --channel C`.
struct AclListCommand: ChannelUserListVerb {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List a channel's members.")

    @OptionGroup var channel: ChannelOption
    @OptionGroup var server: ServerOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var global: GlobalOptions

    static let header = "MEMBER"

    static func operation(channel: String) -> AdminOp { .aclList(channel: channel) }

    static func emptyNote(channel: String) -> String { "`\(channel)` has no members" }
}
