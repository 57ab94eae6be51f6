@testable import ConclaveServer
import ConclaveStorage
import Testing

@Suite("Channel sequencer")
struct ChannelSequencerTests {
    private func message(_ seq: Int64, body: Bool = true) -> ChannelSequencer.Message {
        ChannelSequencer.Message(seq: seq, from: "u/m/s", payload: body ? [UInt8(seq)] : nil, receiptID: 0)
    }

    private func delivered(_ actions: [ChannelSequencer.Action]) -> [Int64] {
        actions.flatMap { action -> [Int64] in
            if case let .deliver(_, _, messages) = action { return messages.map(\.seq) }
            return []
        }
    }

    private func fetches(_ actions: [ChannelSequencer.Action]) -> [ChannelSequencer.Action] {
        actions.filter { if case .fetch = $0 { true } else { false } }
    }

    @Test func inOrderMessagesAreDeliveredOnceAndDuplicatesDropped() {
        var sequencer = ChannelSequencer()
        sequencer.start([ChannelSequence(channelID: 1, name: "c", lastSeq: 10)])
        #expect(delivered(sequencer.receive(channelID: 1, channel: "c", message(11))) == [11])
        #expect(delivered(sequencer.receive(channelID: 1, channel: "c", message(12))) == [12])
        // Its own notification, arriving after the local commit delivered it.
        #expect(sequencer.receive(channelID: 1, channel: "c", message(12)).isEmpty)
        // Stored before this instance started: history, not news.
        #expect(sequencer.receive(channelID: 1, channel: "c", message(3)).isEmpty)
    }

    @Test func aGapIsReadFromTheStoreBeforeLaterMessagesAreDelivered() {
        var sequencer = ChannelSequencer()
        sequencer.start([ChannelSequence(channelID: 1, name: "c", lastSeq: 0)])
        #expect(delivered(sequencer.receive(channelID: 1, channel: "c", message(1))) == [1])
        let actions = sequencer.receive(channelID: 1, channel: "c", message(4))
        #expect(delivered(actions).isEmpty)
        #expect(fetches(actions) == [.fetch(channelID: 1, afterSeq: 1, limit: ChannelSequencer.fetchLimit)])
        // While the read runs, 5 arrives: it waits too, and no second read is asked for.
        #expect(sequencer.receive(channelID: 1, channel: "c", message(5)).isEmpty)
        // The read returns 2, 3 and 4 (5 was committed after the read began).
        let after = sequencer.fetched(channelID: 1, rows: [message(2), message(3), message(4)], limit: ChannelSequencer.fetchLimit)
        #expect(delivered(after) == [2, 3, 4, 5])
        #expect(fetches(after).isEmpty)
    }

    @Test func aMessageGoneFromTheStoreIsSkippedOnlyUpToWhatTheReadCouldSee() {
        var sequencer = ChannelSequencer()
        sequencer.start([ChannelSequence(channelID: 1, name: "c", lastSeq: 0)])
        _ = sequencer.receive(channelID: 1, channel: "c", message(3))
        // 7 is announced while the read for 1…3 runs: the read may not have seen 4…6.
        _ = sequencer.receive(channelID: 1, channel: "c", message(7))
        // 1 and 2 were trimmed away; only 3 comes back.
        let after = sequencer.fetched(channelID: 1, rows: [message(3)], limit: ChannelSequencer.fetchLimit)
        #expect(delivered(after) == [3])
        #expect(fetches(after) == [.fetch(channelID: 1, afterSeq: 3, limit: ChannelSequencer.fetchLimit)])
        let last = sequencer.fetched(channelID: 1, rows: [message(4), message(5), message(6), message(7)], limit: ChannelSequencer.fetchLimit)
        #expect(delivered(last) == [4, 5, 6, 7])
    }

    @Test func aBodyTooLargeForTheBusIsReadFromTheStore() {
        var sequencer = ChannelSequencer()
        let actions = sequencer.receive(channelID: 2, channel: "big", message(1, body: false))
        #expect(delivered(actions).isEmpty)
        #expect(fetches(actions) == [.fetch(channelID: 2, afterSeq: 0, limit: ChannelSequencer.fetchLimit)])
        #expect(delivered(sequencer.fetched(channelID: 2, rows: [message(1)], limit: ChannelSequencer.fetchLimit)) == [1])
    }

    @Test func resumingReadsWhatWasMissedAndAFailedReadIsAskedAgain() {
        var sequencer = ChannelSequencer()
        sequencer.start([ChannelSequence(channelID: 1, name: "c", lastSeq: 5)])
        #expect(sequencer.resume([ChannelSequence(channelID: 1, name: "c", lastSeq: 5)]).isEmpty)
        let actions = sequencer.resume([ChannelSequence(channelID: 1, name: "c", lastSeq: 8)])
        #expect(fetches(actions) == [.fetch(channelID: 1, afterSeq: 5, limit: ChannelSequencer.fetchLimit)])
        #expect(sequencer.fetched(channelID: 1, rows: nil, limit: ChannelSequencer.fetchLimit).isEmpty)
        let again = sequencer.receive(channelID: 1, channel: "c", message(9))
        #expect(fetches(again) == [.fetch(channelID: 1, afterSeq: 5, limit: ChannelSequencer.fetchLimit)])
        let rows = (6...8).map { message($0) }
        #expect(delivered(sequencer.fetched(channelID: 1, rows: rows, limit: ChannelSequencer.fetchLimit)) == [6, 7, 8, 9])
    }

    @Test func aRenameCarriesTheNewNameAndADeleteForgetsTheChannel() {
        var sequencer = ChannelSequencer()
        sequencer.start([ChannelSequence(channelID: 1, name: "old", lastSeq: 0)])
        sequencer.rename("old", to: "new")
        let actions = sequencer.fetched(channelID: 1, rows: [], limit: 1)
        #expect(actions.isEmpty)
        let resumed = sequencer.resume([ChannelSequence(channelID: 1, name: "new", lastSeq: 0)])
        #expect(resumed.isEmpty)
        sequencer.forget("new")
        #expect(sequencer.delivered(in: 1) == nil)
    }
}
