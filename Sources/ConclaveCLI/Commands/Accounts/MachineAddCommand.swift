import ArgumentParser
import ConclaveIdentity
import ConclaveProtocol

/// `conclave machine add --name <name> --pubkey <key>`: enrols another machine's key.
struct MachineAddCommand: AsyncParsableCommand, GlobalOptionsProviding {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Enrol another machine's key in your account.",
        discussion: """
            On the new machine, run `conclave key` and bring the printed key here. Afterwards, run the \
            `conclave server add` command this prints on the new machine to record the server there.
            """
    )

    @Option(help: "The new machine's name in your account.")
    var name: String

    // Base64url: one key in 64 begins with `-`, which must still be read as the value.
    @Option(parsing: .unconditional, help: "The new machine's public key, as its `conclave key` prints it (43 characters).")
    var pubkey: String

    @OptionGroup var server: ServerOptions
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        try SessionPath.validateComponent(name, kind: .machine)
        let key = try PublicKey(text: pubkey)
        let remote = try RemoteServer(global: global, server: server)
        try Output.line(try await remote.acknowledged(.machineAdd(name: name, pubkey: key.bytes), fallback: name))
        Output.note("next: on `\(name)`, run `conclave server add \(remote.url)` to record this server there")
    }
}
