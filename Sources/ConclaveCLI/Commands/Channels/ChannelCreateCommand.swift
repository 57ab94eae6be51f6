import ArgumentParser
import ConclaveProtocol

/// `conclave channel create <name> [--visibility V]`.
struct ChannelCreateCommand: AsyncParsableCommand, GlobalOptionsProviding {
    static let configuration = CommandConfiguration(commandName: "create", abstract: "Create a channel; you become its admin.")

    @Argument(help: "The channel name.")
    var name: String

    @Option(help: "public, unlisted or private.")
    var visibility = "public"

    @OptionGroup var server: ServerOptions
    @OptionGroup var global: GlobalOptions

    func validate() throws {
        try UsageCheck.value {
            try SessionPath.validateComponent(name, kind: .channel)
            _ = try Visibility(token: visibility)
        }
    }

    func run() async throws {
        let visibility = try Visibility(token: visibility)
        let remote = try RemoteServer(global: global, server: server)
        try Output.line(try await remote.acknowledged(.createChannel(name: name, visibility: visibility), fallback: name))
    }
}
