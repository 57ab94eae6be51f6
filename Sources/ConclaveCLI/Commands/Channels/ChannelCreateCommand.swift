import ArgumentParser
import ConclaveIdentity
import ConclaveProtocol

/// `conclave channel create <name> [--visibility V] [--e2e]`.
struct ChannelCreateCommand: AsyncParsableCommand, GlobalOptionsProviding {
    static let configuration = CommandConfiguration(commandName: "create", abstract: "Create a channel; you become its admin.")

    @Argument(help: "The channel name.")
    var name: String

    @Option(help: "public, unlisted or private.")
    var visibility: String?

    @Flag(name: .customLong("e2e"), help: "End-to-end encrypted: private, and the server never reads its messages (needs a server with the e2e extension).")
    var endToEnd = false

    @OptionGroup var server: ServerOptions
    @OptionGroup var global: GlobalOptions

    func validate() throws {
        try UsageCheck.value {
            try SessionPath.validateComponent(name, kind: .channel)
            _ = try visibility.map { try Visibility(token: $0) }
        }
        if endToEnd, let visibility, visibility != Visibility.private.token {
            throw ValidationError("--e2e channels are private; drop --visibility \(visibility)")
        }
    }

    func run() async throws {
        let visibility = try endToEnd ? .private : Visibility(token: visibility ?? "public")
        guard endToEnd else {
            let remote = try RemoteServer(global: global, server: server)
            try Output.line(try await remote.acknowledged(.createChannel(name: name, visibility: visibility), fallback: name))
            return
        }
        let remote = try RemoteServer(global: global, server: server, extensions: [.e2e])
        let name = name
        try await remote.explained {
            try await remote.client.withSession { session in
                guard let channels = try remote.endToEnd(for: session) else { throw remote.noEndToEnd() }
                // Announce this machine's key first, so the channel's first post can be sealed to it.
                _ = try await remote.checked(channels.announcement(nowMs: EpochClock.nowMs()), on: &session)
                _ = try await remote.checked(.admin(.createChannel(name: name, visibility: .private)), on: &session)
                _ = try await remote.checked(.markEncrypted(channel: name), on: &session)
            }
        }
        try Output.line("✓ \(name) (private, end-to-end encrypted)")
    }
}
