import ArgumentParser
import ConclaveProtocol

/// `conclave acl`: a channel's member list.
struct AclCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "acl",
        abstract: "Add, remove or list the members of a channel (channel admins).",
        subcommands: [Add.self, Remove.self, List.self]
    )
}

extension AclCommand {
    /// `conclave acl add --channel C <user>`.
    struct Add: ChannelUserVerb {
        static let configuration = CommandConfiguration(commandName: "add", abstract: "Make a user a member (also lifts a ban).")

        @OptionGroup var target: ChannelUserArguments

        static func operation(channel: String, user: String) -> AdminOp {
            .aclAdd(channel: channel, user: user)
        }
    }
}

extension AclCommand {
    /// `conclave acl remove --channel C <user>`.
    struct Remove: ChannelUserVerb {
        static let configuration = CommandConfiguration(
            commandName: "remove", abstract: "Remove a member; their live sessions leave the channel.")

        @OptionGroup var target: ChannelUserArguments

        static func operation(channel: String, user: String) -> AdminOp {
            .aclRemove(channel: channel, user: user)
        }
    }
}

extension AclCommand {
    /// `conclave acl list --channel C`.
    struct List: ChannelUserListVerb {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List a channel's members.")

        @OptionGroup var channel: ChannelOption
        @OptionGroup var server: ServerOptions
        @OptionGroup var output: OutputOptions
        @OptionGroup var global: GlobalOptions

        static let header = "MEMBER"

        static func operation(channel: String) -> AdminOp { .aclList(channel: channel) }

        static func emptyNote(channel: String) -> String { "`\(channel)` has no members" }
    }
}
