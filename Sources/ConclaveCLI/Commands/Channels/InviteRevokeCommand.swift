import ArgumentParser
import ConclaveProtocol

/// `conclave invite revoke <token>`.
struct InviteRevokeCommand: AsyncParsableCommand, GlobalOptionsProviding {
    static let configuration = CommandConfiguration(
        commandName: "revoke",
        abstract: "Revoke an invite token.",
        discussion: """
            The server answers the same whether or not the token existed, so a token cannot be probed; \
            check with `conclave invite list`.
            """
    )

    @Argument(help: "The token.")
    var token: String

    @OptionGroup var server: ServerOptions
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let remote = try RemoteServer(global: global, server: server)
        try Output.line(try await remote.acknowledged(.inviteRevoke(token: token), fallback: token))
    }
}
