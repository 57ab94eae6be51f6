public import ConclaveIdentity
import Foundation

/// Where a machine keeps its end-to-end channel keys between runs: one private file (0600, under
/// a lock shared by every process of this user) holding each channel's ``ChannelKeyring``.
///
/// A file that cannot be read whole is reported and left as it is; nothing in it is guessed.
public struct ChannelKeyringFile: Sendable {
    /// Why the file cannot be used.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// The file.
    public let file: PrivateStateFile

    /// Keyrings kept in `path` (at most 16 MiB of them).
    public init(path: String) {
        file = PrivateStateFile(path: path, limit: 16 * 1024 * 1024)
    }

    /// The keyring of `channel` on this machine (`user/machine`); an empty one if none was saved.
    public func load(channel: String, machine: String) throws -> ChannelKeyring {
        guard let snapshot = try read()[channel] else { return ChannelKeyring(channel: channel, machine: machine) }
        guard snapshot.machine == machine, let keyring = ChannelKeyring(snapshot: snapshot) else {
            throw Failure(description: "the saved keys of channel `\(channel)` in \(file.path) are not this machine's or are malformed; the file was left as it is")
        }
        return keyring
    }

    /// Saves `keyring`, replacing what was saved for its channel.
    public func save(_ keyring: ChannelKeyring) throws {
        try file.createDirectory()
        try file.update { contents in
            var all = try Self.decode(contents, path: file.path)
            all[keyring.channel] = keyring.snapshot
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            contents = Array(try encoder.encode(all))
        }
    }

    private func read() throws -> [String: ChannelKeyring.Snapshot] {
        try Self.decode(try file.read(), path: file.path)
    }

    private static func decode(_ contents: [UInt8]?, path: String) throws -> [String: ChannelKeyring.Snapshot] {
        guard let contents, !contents.isEmpty else { return [:] }
        do {
            return try JSONDecoder().decode([String: ChannelKeyring.Snapshot].self, from: Data(contents))
        } catch {
            throw Failure(description: "\(path) is not a keyring file (\(error)); it was left as it is")
        }
    }
}
