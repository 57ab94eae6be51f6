import ArgumentParser
import ConclaveProtocol

/// `conclave machine remove <name>`: revokes a machine of your account.
struct MachineRemoveCommand: AsyncParsableCommand, GlobalOptionsProviding {
    static let configuration = CommandConfiguration(
        commandName: "remove",
        abstract: "Revoke one of your machines; its live sessions are disconnected.")

    @Argument(help: "The machine's name, as `conclave machine list` shows it.")
    var name: String

    @OptionGroup var server: ServerOptions
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let remote = try RemoteServer(global: global, server: server)
        try Output.line(try await remote.acknowledged(.machineRemove(name: name), fallback: name))
    }
}
