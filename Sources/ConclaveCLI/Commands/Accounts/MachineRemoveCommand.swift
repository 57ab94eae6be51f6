import ArgumentParser
import ConclaveProtocol

/// `conclave machine remove <name>`: revokes a machine of your account.
struct MachineRemoveCommand: AsyncParsableCommand, GlobalOptionsProviding {
    static let configuration = CommandConfiguration(
        commandName: "remove",
        abstract: "Revoke one of your machines; its live sessions are disconnected.")

    @Argument(help: "The machine's name, as `conclave machine list` shows it.")
    var name: String

    @OptionGroup var confirmation: ConfirmOptions
    @OptionGroup var server: ServerOptions
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let remote = try RemoteServer(global: global, server: server)
        try confirmation.confirm("Revoke the machine `\(name)` on \(remote.url.text)? Its key will no longer sign in.")
        _ = try await remote.acknowledged(.machineRemove(name: name), fallback: name)
        try Output.line("✓ revoked `\(name)` on \(remote.url.text): its key no longer signs in, and its live sessions were disconnected")
    }
}
