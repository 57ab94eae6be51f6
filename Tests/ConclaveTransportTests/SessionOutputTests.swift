import ConclaveProtocol
import ConclaveTesting
@testable import ConclaveTransport
import NIOCore
import NIOEmbedded
import Testing

@Suite("Session output on the event loop")
struct SessionOutputTests {
    private static func frame(_ index: Int) -> EncodedFrame {
        EncodedFrame(ProtocolMessage.ack(detail: "\(index)"))
    }

    private static func index(ofMessage message: ByteBuffer) -> Int? {
        // A server message: 2-byte header for these small frames, then the protocol bytes.
        guard message.readableBytes > 2, case let .ack(detail?) = try? ProtocolMessage(wireBytes: Array(message.readableBytesView.dropFirst(2)))
        else { return nil }
        return Int(detail)
    }

    /// Counts flushes on their way to the socket.
    private final class FlushCounter: ChannelOutboundHandler {
        typealias OutboundIn = NIOAny
        var flushes = 0

        func flush(context: ChannelHandlerContext) {
            flushes += 1
            context.flush()
        }
    }

    /// An output on an embedded channel, with a flush counter between it and the "socket".
    private final class Rig {
        /// Buffers handed to the socket by the last ``written()``.
        var writes = 0
        let channel: EmbeddedChannel
        let output: SessionOutput
        let handler: SessionOutputHandler
        let flushes: FlushCounter

        init(capacity: Int) throws {
            channel = EmbeddedChannel()
            flushes = FlushCounter()
            handler = SessionOutputHandler(closeTimeout: .seconds(2))
            try channel.pipeline.syncOperations.addHandler(flushes)
            try channel.pipeline.syncOperations.addHandler(handler)
            output = SessionOutput(capacity: capacity, handler: handler, eventLoop: channel.embeddedEventLoop)
            handler.output = output
            try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        }

        /// Everything written to the socket so far, one WebSocket message each (small frames
        /// arrive coalesced in one buffer).
        func written() throws -> [ByteBuffer] {
            var bytes = ByteBuffer()
            writes = 0
            while var buffer = try channel.readOutbound(as: ByteBuffer.self) {
                bytes.writeBuffer(&buffer)
                writes += 1
            }
            var messages: [ByteBuffer] = []
            while let message = SessionOutputTests.nextMessage(&bytes) { messages.append(message) }
            #expect(bytes.readableBytes == 0, "a partial message was written")
            return messages
        }

        func setWritable(_ writable: Bool) {
            channel.isWritable = writable
            channel.pipeline.fireChannelWritabilityChanged()
        }

        /// A rig of capacity 1 whose socket refuses bytes, with frame 0 queued: full.
        static func full() throws -> Rig {
            let rig = try Rig(capacity: 1)
            rig.setWritable(false)
            #expect(rig.output.offer(SessionOutputTests.frame(0)))
            rig.channel.embeddedEventLoop.run()
            return rig
        }
    }

    /// The next unmasked server message (header and payload) at the front of `bytes`.
    static func nextMessage(_ bytes: inout ByteBuffer) -> ByteBuffer? {
        guard let second = bytes.getInteger(at: bytes.readerIndex + 1, as: UInt8.self) else { return nil }
        let (headerLength, payloadLength): (Int, Int)
        switch second & 0x7F {
        case 126: (headerLength, payloadLength) = (4, Int(bytes.getInteger(at: bytes.readerIndex + 2, as: UInt16.self) ?? 0))
        case 127: (headerLength, payloadLength) = (10, Int(bytes.getInteger(at: bytes.readerIndex + 2, as: UInt64.self) ?? 0))
        default: (headerLength, payloadLength) = (2, Int(second & 0x7F))
        }
        return bytes.readSlice(length: headerLength + payloadLength)
    }

    /// Yields until `condition` holds: synchronisation on the output's own state, not a sleep.
    private static func until(_ condition: () -> Bool) async {
        while !condition() { await Task.yield() }
    }

    @Test func framesOfferedTogetherAreWrittenInOrderWithOneFlush() throws {
        let rig = try Rig(capacity: 16)
        for index in 0..<10 { #expect(rig.output.offer(Self.frame(index))) }
        // Nothing moves until the loop runs: one hop for all ten.
        #expect(try rig.written().isEmpty)
        rig.channel.embeddedEventLoop.run()
        #expect(try rig.written().compactMap(Self.index(ofMessage:)) == Array(0..<10))
        #expect(rig.flushes.flushes == 1)
        #expect(rig.writes == 1, "small frames are coalesced into one write")
        #expect(rig.output.queuedFrames == 0)
    }

    @Test func aPeerThatStopsReadingFillsTheQueueAndIsThenRefused() throws {
        let rig = try Rig(capacity: 3)
        rig.setWritable(false)
        #expect(rig.output.stalledSince != nil)
        for index in 0..<3 { #expect(rig.output.offer(Self.frame(index))) }
        #expect(!rig.output.offer(Self.frame(3)), "a fourth frame overflows a queue of three")
        rig.channel.embeddedEventLoop.run()
        #expect(try rig.written().isEmpty, "nothing is written while the socket refuses bytes")
        #expect(rig.output.queuedFrames == 3)
        rig.setWritable(true)
        #expect(try rig.written().compactMap(Self.index(ofMessage:)) == [0, 1, 2])
        #expect(rig.output.stalledSince == nil)
        #expect(rig.output.offer(Self.frame(4)), "room again once written")
    }

    @Test func aReplyWaitsForRoomInsteadOfBeingRefused() async throws {
        let rig = try Rig.full()
        let output = rig.output
        async let admitted = output.enqueue(Self.frame(1))
        // The reply cannot be queued yet; freeing room lets it in.
        await Self.until { output.waitingReplies == 1 }
        #expect(rig.output.queuedFrames == 1)
        rig.setWritable(true)
        #expect(await admitted)
        rig.channel.embeddedEventLoop.run()
        #expect(try rig.written().compactMap(Self.index(ofMessage:)) == [0, 1])
    }

    @Test func closingWritesTheQueueThenTheFinalsThenAWebSocketClose() throws {
        let rig = try Rig(capacity: 2)
        #expect(rig.output.offer(Self.frame(0)))
        rig.output.close(finals: [Self.frame(1), Self.frame(2)], ending: .normal)
        #expect(!rig.output.offer(Self.frame(9)), "closed: nothing more is taken")
        #expect(rig.output.isClosed)
        rig.channel.embeddedEventLoop.run()
        let written = try rig.written()
        #expect(written.prefix(3).compactMap(Self.index(ofMessage:)) == [0, 1, 2], "finals go past the capacity")
        // FIN + close opcode, 2 bytes of payload: status 1000.
        #expect(written.last.map { Array($0.readableBytesView) } == [0x88, 0x02, 0x03, 0xE8])
        // The WebSocket layer's answer to the peer's close must not follow ours.
        rig.channel.write(ByteBuffer(bytes: [0x88, 0x00]), promise: nil)
        rig.channel.flush()
        #expect(try rig.written().isEmpty)
        // A peer that never answers is cut after the close timeout.
        #expect(rig.channel.isActive)
        rig.channel.embeddedEventLoop.advanceTime(by: .seconds(2))
        #expect(!rig.channel.isActive)
    }

    @Test func framesBeyondTheCoalescingLimitAreSplitIntoSeveralWrites() throws {
        let rig = try Rig(capacity: 64)
        let body = String(repeating: "b", count: 5_000)
        let frames = (0..<8).map { EncodedFrame(ProtocolMessage.ack(detail: "\($0)" + body)) }
        for frame in frames { #expect(rig.output.offer(frame)) }
        rig.channel.embeddedEventLoop.run()
        let written = try rig.written()
        #expect(written.map { Array($0.readableBytesView) } == frames.map { Array($0.message.readableBytesView) })
        // Three frames of about 5 KB fit in 16 KiB: 8 frames need 3 writes.
        #expect(rig.writes == 3)
        #expect(rig.flushes.flushes == 1)
    }

    @Test func goingAwayClosesWith1001AndItsReason() throws {
        let rig = try Rig(capacity: 2)
        rig.output.close(finals: [], ending: .goingAway("server restarting"))
        rig.channel.embeddedEventLoop.run()
        let close = try #require(try rig.written().last)
        let reason = Array("server restarting".utf8)
        #expect(Array(close.readableBytesView) == [0x88, UInt8(2 + reason.count), 0x03, 0xE9] + reason)
    }

    @Test func aLongReasonIsCutAtACharacterBoundaryWithinTheControlFrameLimit() {
        let reason = String(repeating: "é", count: 100)  // 200 bytes of UTF-8
        let frame = SessionOutputHandler.closeFrame(code: .goingAway, reason: reason, allocator: ByteBufferAllocator())
        let payload = Array(frame.readableBytesView.dropFirst(2))
        #expect(payload.count <= 125)
        #expect(String(validating: payload.dropFirst(2), as: UTF8.self) != nil)
    }

    @Test func afterThePeerClosedNothingQueuedIsWritten() throws {
        let rig = try Rig(capacity: 4)
        rig.setWritable(false)
        #expect(rig.output.offer(Self.frame(0)))
        rig.channel.embeddedEventLoop.run()
        rig.output.close(finals: [Self.frame(1)], ending: .peerClosed)
        rig.channel.embeddedEventLoop.run()
        rig.setWritable(true)
        #expect(try rig.written().isEmpty)
        #expect(rig.output.queuedFrames == 0)
    }

    @Test func aClosedConnectionRefusesOffersAndReleasesWaitingReplies() async throws {
        let rig = try Rig.full()
        let output = rig.output
        async let admitted = output.enqueue(Self.frame(1))
        await Self.until { output.waitingReplies == 1 }
        try rig.channel.close().wait()
        #expect(await admitted == false)
        #expect(!rig.output.offer(Self.frame(2)))
        #expect(rig.output.queuedFrames == 0)
    }

    @Test func framesSentByTheServerArriveAsSeparateMessagesInOrder() async throws {
        let count = 300
        let received = try await ScriptedServer.with({ connection in
            var frames = connection.inbound.makeAsyncIterator()
            guard case .message? = try? await frames.next() else { return }
            for index in 0..<count { _ = await connection.output.enqueue(Self.frame(index)) }
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
        let received = try await ScriptedServer.with({ connection in
            var frames = connection.inbound.makeAsyncIterator()
            guard case .message? = try? await frames.next() else { return }
            for frame in sent { _ = await connection.output.enqueue(EncodedFrame(frame)) }
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

    @Test func aSessionClosedByTheServerEndsWithItsLastFrameAndANormalClose() async throws {
        let received = try await ScriptedServer.with({ connection in
            var frames = connection.inbound.makeAsyncIterator()
            guard case .message? = try? await frames.next() else { return }
            connection.output.close(finals: [EncodedFrame(ProtocolMessage.error(.unauthorized("bye")))], ending: .normal)
            // The peer's answer to our close ends the inbound side.
            while (try? await frames.next()) != nil {}
        }, { url in
            try await FrameLink.connect(to: url, timeout: .seconds(5)) { connection in
                try await connection.outbound.send(.ping)
                var frames: [ProtocolMessage] = []
                for try await event in connection.inbound {
                    if case let .message(frame) = event { frames.append(frame) }
                }
                return frames
            }
        })
        #expect(received == [.error(.unauthorized("bye"))])
    }
}
