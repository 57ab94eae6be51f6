import ArgumentParser
import ConclaveProtocol

/// A verb that removes one named thing for good (`machine remove`, `user remove`,
/// `channel delete`): it asks first (unless `--yes`), sends the operation, and says what is gone.
protocol ConfirmedRemoval: AsyncParsableCommand, GlobalOptionsProviding {
    var confirmation: ConfirmOptions { get }
    var server: ServerOptions { get }
    /// What the verb removes, as the person named it.
    var subject: String { get }

    /// The operation to send.
    static func operation(_ subject: String) -> AdminOp
    /// The question asked before removing, on `server`.
    static func question(_ subject: String, server: String) -> String
    /// What the person reads once it is done.
    static func done(_ subject: String, server: String) -> String
}

extension ConfirmedRemoval {
    func run() async throws {
        let remote = try RemoteServer(global: global, server: server)
        try confirmation.confirm(Self.question(subject, server: remote.url.text))
        _ = try await remote.acknowledged(Self.operation(subject), fallback: subject)
        try Output.line(Self.done(subject, server: remote.url.text))
    }
}
