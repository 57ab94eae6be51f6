import ArgumentParser
import ConclaveProtocol

/// `conclave ban --channel C <user>`.
struct BanCommand: ChannelUserVerb {
    static let configuration = CommandConfiguration(
        commandName: "ban", abstract: "Ban a user from a channel: removes membership and unsubscribes their sessions.")

    @OptionGroup var target: ChannelUserArguments

    static func operation(channel: String, user: String) -> AdminOp {
        .ban(channel: channel, user: user)
    }
}
