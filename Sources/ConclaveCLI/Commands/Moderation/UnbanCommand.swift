import ArgumentParser
import ConclaveProtocol

/// `conclave unban --channel C <user>`.
struct UnbanCommand: ChannelUserVerb {
    static let configuration = CommandConfiguration(
        commandName: "unban", abstract: "Lift a ban (does not make the user a member; see `acl add`).")

    @OptionGroup var target: ChannelUserArguments

    static func operation(channel: String, user: String) -> AdminOp {
        .unban(channel: channel, user: user)
    }
}
