import ConclaveProtocol
@testable import ConclaveTransport
import NIOCore
import Testing

@Suite("Frame queue and batched sends")
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

    @Test func aBatchSentByTheServerArrivesAsSeparateFramesInOrder() async throws {
        let count = 300
        let received = try await ControlClientTests().withScriptedServer({ connection in
            var frames = connection.inbound.makeAsyncIterator()
            guard case .message? = try? await frames.next() else { return }
            // Two batches, so the second also waits on the first's completion.
            try? await connection.outbound.send(batch: (0..<count / 2).map(Self.frame))
            try? await connection.outbound.send(batch: (count / 2..<count).map(Self.frame))
            _ = try? await frames.next()
        }, { url in
            try await FrameLink.connect(to: url, timeout: .seconds(5)) { connection in
                try await connection.outbound.send(.ping)
                var indices: [Int] = []
                for try await event in connection.inbound {
                    guard case let .message(.ack(detail?)) = event, let index = Int(detail) else { continue }
                    indices.append(index)
                    if indices.count == count { break }
                }
                return indices
            }
        })
        #expect(received == Array(0..<count))
    }

    @Test func readyMadeMessagesOfEveryLengthClassArriveIntact() async throws {
        // Protocol frames around the WebSocket length boundaries (7-bit, 16-bit and 64-bit).
        let bodies = [0, 100, 117, 118, 200, 65_000, 65_530, 65_531, 70_000, 300_000].map { String(repeating: "b", count: $0) }
        let sent = bodies.map { ProtocolMessage.channelMessage(channel: "c", from: SessionPath(user: "u", machine: "m", session: "s"), payload: .plain($0)) }
        let received = try await ControlClientTests().withScriptedServer({ connection in
            var frames = connection.inbound.makeAsyncIterator()
            guard case .message? = try? await frames.next() else { return }
            try? await connection.outbound.send(batch: sent.map(EncodedFrame.init))
            _ = try? await frames.next()
        }, { url in
            try await FrameLink.connect(to: url, timeout: .seconds(5)) { connection in
                try await connection.outbound.send(.ping)
                var frames: [ProtocolMessage] = []
                for try await event in connection.inbound {
                    guard case let .message(frame) = event else { Issue.record("undecodable frame"); break }
                    frames.append(frame)
                    if frames.count == sent.count { break }
                }
                return frames
            }
        })
        #expect(received == sent)
        #expect(sent.map { EncodedFrame($0).wireBytes.readableBytes } == sent.map { $0.wireBytes.count })
    }
}
