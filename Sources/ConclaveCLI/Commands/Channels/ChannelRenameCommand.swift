import ArgumentParser
import ConclaveProtocol

/// `conclave channel rename <name> <new-name>`.
struct ChannelRenameCommand: AsyncParsableCommand, GlobalOptionsProviding {
    static let configuration = CommandConfiguration(
        commandName: "rename", abstract: "Rename a channel; members, history and live subscribers follow.")

    @Argument(help: "The current name.")
    var name: String

    @Argument(help: "The new name.")
    var newName: String

    @OptionGroup var server: ServerOptions
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        try SessionPath.validateComponent(newName, kind: .channel)
        let remote = try RemoteServer(global: global, server: server)
        try Output.line(try await remote.acknowledged(.renameChannel(name: name, newName: newName), fallback: newName))
    }
}
