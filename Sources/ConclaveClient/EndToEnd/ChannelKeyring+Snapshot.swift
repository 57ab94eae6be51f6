public import ConclaveIdentity
import Foundation

extension ChannelKeyring {
    /// What a keyring holds, in a form a private file can keep: keys in base64url (secret
    /// material: the file must be 0600, as ``ChannelKeyringFile`` writes it).
    public struct Snapshot: Codable, Sendable, Hashable {
        struct Key: Codable, Sendable, Hashable {
            var id: String
            var key: String
        }

        struct MemberRecord: Codable, Sendable, Hashable {
            var machine: String
            var agreementKey: String
        }

        var channel: String
        var machine: String
        var current: Key?
        var members: [MemberRecord]
        var received: [String: [Key]]
    }

    /// The keyring's contents, to persist.
    public var snapshot: Snapshot {
        func record(_ key: ChannelKey) -> Snapshot.Key {
            let material = key.sealable
            return Snapshot.Key(id: Base64URL.encode(key.id), key: Base64URL.encode(Array(material[ChannelKey.idByteCount...])))
        }
        return Snapshot(
            channel: channel, machine: machine, current: currentKey.map(record),
            members: memberSet.map { Snapshot.MemberRecord(machine: $0.machine, agreementKey: Base64URL.encode($0.agreementKey)) }
                .sorted { $0.machine < $1.machine },
            received: receivedKeys.mapValues { $0.map(record) })
    }

    /// A keyring restored from `snapshot`; `nil` if any key in it is malformed (nothing is
    /// guessed: a keyring that cannot be restored whole is not restored).
    public init?(snapshot: Snapshot) {
        func key(_ record: Snapshot.Key) -> ChannelKey? {
            guard let id = Base64URL.decode(record.id), let bytes = Base64URL.decode(record.key) else { return nil }
            return try? ChannelKey(id: id, key: bytes)
        }
        self.init(channel: snapshot.channel, machine: snapshot.machine)
        if let current = snapshot.current {
            guard let restored = key(current) else { return nil }
            currentKey = restored
        }
        var members: Set<Member> = []
        for record in snapshot.members {
            guard let agreement = Base64URL.decode(record.agreementKey) else { return nil }
            members.insert(Member(machine: record.machine, agreementKey: agreement))
        }
        memberSet = members
        for (sender, records) in snapshot.received {
            var keys: [ChannelKey] = []
            for record in records.suffix(Self.keysPerSender) {
                guard let restored = key(record) else { return nil }
                keys.append(restored)
            }
            receivedKeys[sender] = keys
        }
    }
}
