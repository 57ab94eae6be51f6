import ArgumentParser
import ConclaveProtocol

/// `conclave channel set-visibility <name> <visibility>`.
struct ChannelSetVisibilityCommand: AsyncParsableCommand, GlobalOptionsProviding {
    static let configuration = CommandConfiguration(commandName: "set-visibility", abstract: "Change who can see and join a channel.")

    @Argument(help: "The channel name.")
    var name: String

    @Argument(help: "public, unlisted or private.")
    var visibility: String

    @OptionGroup var server: ServerOptions
    @OptionGroup var global: GlobalOptions

    func validate() throws {
        try UsageCheck.value { _ = try Visibility(token: visibility) }
    }

    func run() async throws {
        let visibility = try Visibility(token: visibility)
        let remote = try RemoteServer(global: global, server: server)
        try Output.line(try await remote.acknowledged(.setVisibility(name: name, visibility: visibility), fallback: name))
    }
}
