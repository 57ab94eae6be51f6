import ConclaveStorage

/// In-order, exactly-once delivery of channel messages on one instance of a cluster, as a state
/// machine that returns actions (the hub does the I/O).
///
/// Messages reach an instance from its own commits and from the bus, in any order and possibly
/// twice, and the bus may lose some (a dropped LISTEN connection). Each channel numbers its
/// messages 1, 2, 3… in commit order, so the sequencer delivers number n only after n − 1, drops
/// what it has already delivered, and asks for a store read when a number is missing. A message
/// the store no longer has (trimmed, purged) is skipped once a read confirms it is gone.
struct ChannelSequencer {
    /// A message to deliver, or one known to exist whose body must be read.
    struct Message: Sendable, Hashable {
        var seq: Int64
        var from: String
        /// `nil` when only the number is known (the body was too large for a notification).
        var payload: [UInt8]?
        var receiptID: UInt64
        /// The sender's signature in its wire encoding, if it signed (and it was carried).
        var signature: [UInt8]?
    }

    /// What the hub must do next.
    enum Action: Sendable, Hashable {
        /// Deliver these to the local subscribers of `channel`, in this order.
        case deliver(channelID: Int64, channel: String, [Message])
        /// Read the channel's messages numbered above `afterSeq` (at most `limit`) from the store
        /// and hand them to ``fetched(channelID:rows:limit:)``.
        case fetch(channelID: Int64, afterSeq: Int64, limit: Int)
    }

    /// The most one store read asks for.
    static let fetchLimit = 500

    private struct Channel {
        var name: String
        var delivered: Int64
        /// Numbers above `delivered` seen so far, waiting for the ones before them.
        var waiting: [Int64: Message] = [:]
        var fetching = false
        /// `known` when the running read was asked for: committed before the read began, so a
        /// number up to it that the read did not return is gone from the store.
        var fetchingThrough: Int64 = 0
        /// The highest number known to exist (from a notification or the store).
        var known: Int64
    }

    private var channels: [Int64: Channel] = [:]

    /// Starts from the store's newest numbers: what is already stored is history, not news.
    mutating func start(_ sequences: [ChannelSequence]) {
        for sequence in sequences where channels[sequence.channelID] == nil {
            channels[sequence.channelID] = Channel(name: sequence.name, delivered: sequence.lastSeq, known: sequence.lastSeq)
        }
    }

    /// The last number delivered in `channelID` (tests).
    func delivered(in channelID: Int64) -> Int64? { channels[channelID]?.delivered }

    /// A message committed by this instance or announced by another.
    mutating func receive(channelID: Int64, channel name: String, _ message: Message) -> [Action] {
        var channel = channels[channelID] ?? Channel(name: name, delivered: 0, known: 0)
        channel.name = name
        if message.seq > channel.delivered {
            if message.payload != nil || channel.waiting[message.seq] == nil {
                channel.waiting[message.seq] = message
            }
            channel.known = max(channel.known, message.seq)
        }
        channels[channelID] = channel
        return drain(channelID)
    }

    /// The store's newest numbers after the bus resumed: anything past what was delivered was
    /// missed and is read.
    mutating func resume(_ sequences: [ChannelSequence]) -> [Action] {
        var actions: [Action] = []
        for sequence in sequences {
            var channel = channels[sequence.channelID] ?? Channel(name: sequence.name, delivered: 0, known: 0)
            channel.name = sequence.name
            channel.known = max(channel.known, sequence.lastSeq)
            channels[sequence.channelID] = channel
            actions += drain(sequence.channelID)
        }
        return actions
    }

    /// The rows a ``Action/fetch(channelID:afterSeq:limit:)`` read (`nil` when it failed: the
    /// next message or resume asks again).
    mutating func fetched(channelID: Int64, rows: [Message]?, limit: Int) -> [Action] {
        guard var channel = channels[channelID] else { return [] }
        channel.fetching = false
        guard let rows else {
            channels[channelID] = channel
            return []
        }
        for row in rows where row.seq > channel.delivered {
            channel.waiting[row.seq] = row
        }
        // Everything up to the last row read (or up to what was known when the read was asked
        // for, if it was not cut short) either came back or is gone from the store: gone ones are
        // skipped. A number learnt during the read may not have been visible to it.
        let confirmed = rows.count >= limit ? (rows.last?.seq ?? channel.delivered) : channel.fetchingThrough
        var ready: [Message] = []
        while channel.delivered < confirmed {
            let next = channel.delivered + 1
            if let message = channel.waiting.removeValue(forKey: next), message.payload != nil {
                ready.append(message)
            }
            channel.delivered = next
        }
        channels[channelID] = channel
        let more = drain(channelID)
        return ready.isEmpty ? more : [.deliver(channelID: channelID, channel: channel.name, ready)] + more
    }

    /// A channel was renamed: deliveries use its new name.
    mutating func rename(_ name: String, to newName: String) {
        for (id, channel) in channels where channel.name == name {
            channels[id]?.name = newName
        }
    }

    /// A channel was deleted.
    mutating func forget(_ name: String) {
        channels = channels.filter { $0.value.name != name }
    }

    private mutating func drain(_ channelID: Int64) -> [Action] {
        guard var channel = channels[channelID] else { return [] }
        var ready: [Message] = []
        while let next = channel.waiting[channel.delivered + 1], next.payload != nil {
            channel.waiting[channel.delivered + 1] = nil
            channel.delivered += 1
            ready.append(next)
        }
        // Bounded: a channel never waits on more than it would fetch.
        if channel.waiting.count > Self.fetchLimit * 4 {
            channel.waiting = channel.waiting.filter { $0.key <= channel.delivered + Int64(Self.fetchLimit) }
        }
        var actions: [Action] = ready.isEmpty ? [] : [.deliver(channelID: channelID, channel: channel.name, ready)]
        if channel.known > channel.delivered, !channel.fetching {
            channel.fetching = true
            channel.fetchingThrough = channel.known
            actions.append(.fetch(channelID: channelID, afterSeq: channel.delivered, limit: Self.fetchLimit))
        }
        channels[channelID] = channel
        return actions
    }
}
