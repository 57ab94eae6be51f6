import ArgumentParser
import ConclaveProtocol

/// `conclave bans --channel C`.
struct BansCommand: ChannelUserListVerb {
    static let configuration = CommandConfiguration(commandName: "bans", abstract: "List the users banned from a channel.")

    @OptionGroup var channel: ChannelOption
    @OptionGroup var server: ServerOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var global: GlobalOptions

    static let header = "BANNED"

    static func operation(channel: String) -> AdminOp { .banList(channel: channel) }

    static func emptyNote(channel: String) -> String { "nobody is banned from `\(channel)`" }
}
