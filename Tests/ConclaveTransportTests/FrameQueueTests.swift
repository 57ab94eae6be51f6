import ConclaveProtocol
@testable import ConclaveTransport
import NIOCore
import Testing

@Suite("Frame queue (the in-memory outbound sink)")
struct FrameQueueTests {
    /// Yields until `condition` holds: synchronisation on the queue's own state, not a sleep.
    private static func until(_ condition: () -> Bool) async {
        while !condition() { await Task.yield() }
    }

    private static func frame(_ index: Int) -> EncodedFrame {
        EncodedFrame(ProtocolMessage.ack(detail: "\(index)"))
    }

    private static func index(of frame: EncodedFrame) -> Int? {
        guard case let .ack(detail?) = try? ProtocolMessage(wireBytes: Array(frame.wireBytes.readableBytesView)) else { return nil }
        return Int(detail)
    }

    @Test func aBatchTakesEverythingQueuedInOrderUpToTheLimit() async {
        let queue = FrameQueue(capacity: 10)
        for index in 0..<7 { #expect(queue.offer(Self.frame(index))) }
        let first = await queue.nextBatch(limit: 5)
        let second = await queue.nextBatch(limit: 5)
        #expect(first.compactMap(Self.index(of:)) == [0, 1, 2, 3, 4])
        #expect(second.compactMap(Self.index(of:)) == [5, 6])
    }

    @Test func offersAreRefusedWhenFullAndRepliesWaitForRoom() async {
        let queue = FrameQueue(capacity: 2)
        #expect(queue.offer(Self.frame(0)))
        #expect(queue.offer(Self.frame(1)))
        #expect(!queue.offer(Self.frame(2)))
        async let admitted = queue.enqueue(Self.frame(3))
        // The reply fits once the writer drains a batch.
        let drained = await queue.nextBatch(limit: 8)
        #expect(drained.compactMap(Self.index(of:)) == [0, 1])
        #expect(await admitted)
        #expect(await queue.nextBatch(limit: 8).compactMap(Self.index(of:)) == [3])
    }

    @Test func closingDeliversTheFinalFrameLastThenEnds() async {
        let queue = FrameQueue(capacity: 4)
        #expect(queue.offer(Self.frame(0)))
        queue.close(final: Self.frame(99))
        #expect(!queue.offer(Self.frame(1)))
        #expect(await queue.nextBatch(limit: 8).compactMap(Self.index(of:)) == [0, 99])
        #expect(await queue.nextBatch(limit: 8).isEmpty)
        #expect(await queue.next() == nil)
    }

    @Test func takingWhatIsAvailableNeverWaitsAndFreesRoom() async {
        let queue = FrameQueue(capacity: 1)
        #expect(queue.takeAvailable().isEmpty)
        #expect(queue.offer(Self.frame(1)))
        async let admitted = queue.enqueue(Self.frame(2))
        await Self.until { queue.waiting.writers == 1 }
        #expect(queue.takeAvailable().compactMap(Self.index(of:)) == [1])
        #expect(await admitted)
        #expect(queue.takeAvailable().compactMap(Self.index(of:)) == [2])
    }

    @Test func aWaitingWriterGetsTheNextOffer() async {
        let queue = FrameQueue(capacity: 4)
        async let batch = queue.nextBatch(limit: 8)
        await Self.until { queue.waiting.reader }
        #expect(queue.offer(Self.frame(5)))
        #expect(await batch.compactMap(Self.index(of:)) == [5])
    }
}
