public import ConclaveClient
public import ConclaveIdentity
public import ConclaveProtocol
import Foundation

/// A machine for end-to-end tests: its Ed25519 and X25519 keys, its listing as an honest server
/// gives it in `MemberKeys`, and its own channel keys with private pin and keyring files in a
/// fresh temporary directory.
public struct TestMachine: Sendable {
    /// The user.
    public let user: String
    /// The machine's name.
    public let name: String
    /// Its Ed25519 machine key.
    public let signing: SigningKey
    /// Its X25519 key.
    public let agreement: AgreementKey
    /// The server's instance ID everything is bound to.
    public let serverID: String
    /// Its channel keys (for session `s`).
    public let channels: EndToEndChannels

    /// A machine `user/name` with new keys, on the server `serverID`.
    public init(_ user: String, _ name: String, serverID: String) throws {
        self.user = user
        self.name = name
        self.serverID = serverID
        signing = try SigningKey.generate()
        agreement = try AgreementKey.generate()
        let directory = NSTemporaryDirectory() + "conclave-machine-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        channels = EndToEndChannels(
            serverID: serverID, path: SessionPath(user: user, machine: name, session: "s"), signingKey: signing, agreementKey: agreement,
            knownKeys: KnownKeys(path: directory + "/known_keys"), keyrings: ChannelKeyringFile(path: directory + "/keys.json"))
    }

    /// As an honest server lists it in `MemberKeys`, with its genuine announcement.
    public var listed: MemberMachine {
        MemberMachine(
            user: user, machine: name, signingKey: signing.publicKey.bytes,
            agreement: AgreementAnnouncement.make(for: agreement, signedBy: signing, serverID: serverID, user: user, machine: name, nowMs: 1))
    }

    /// Its session `s`.
    public var path: SessionPath { SessionPath(user: user, machine: name, session: "s") }

    /// `user/name`.
    public var machine: String { user + "/" + name }
}
