import ConclaveProtocol
import Testing

@Suite("Length-prefixed stream framing")
struct StreamFramingTests {
    @Test func pingHasTheDocumentedFraming() {
        #expect(StreamFraming.frame(.ping) == [0, 0, 0, 1, 0x12])
    }

    @Test func framesSurviveArbitraryChunking() throws {
        let messages: [ProtocolMessage] = [
            .ping,
            .hello(protocolVersion: 1, session: "razel"),
            .channelMessage(channel: "ops", from: SessionPath(user: "a", machine: "b", session: "c"),
                            payload: .plain(String(repeating: "x", count: 300))),
            .ack(detail: nil),
        ]
        let stream = messages.flatMap(StreamFraming.frame)
        for chunkSize in [1, 2, 3, 7, 64, stream.count] {
            var decoder = StreamFrameDecoder()
            var received: [ProtocolMessage] = []
            var offset = 0
            while offset < stream.count {
                let end = min(offset + chunkSize, stream.count)
                decoder.append(stream[offset..<end])
                offset = end
                while let message = try decoder.nextMessage() {
                    received.append(message)
                }
            }
            #expect(received == messages)
            #expect(decoder.bufferedByteCount == 0)
        }
    }

    @Test func incompleteFrameWaitsForMoreBytes() throws {
        var decoder = StreamFrameDecoder()
        decoder.append([0, 0, 0, 8, 0x00, 0x01])
        #expect(try decoder.nextBody() == nil)
        #expect(decoder.bufferedByteCount == 6)
    }

    @Test func oversizedPrefixIsRefusedBeforeTheBodyArrives() {
        var decoder = StreamFrameDecoder()
        // 16 MiB + 1, with no body bytes at all.
        decoder.append([0x01, 0x00, 0x00, 0x01])
        #expect(throws: WireFormatError.frameTooLarge(length: FrameLimits.maxFrameBytes + 1, limit: FrameLimits.maxFrameBytes)) {
            try decoder.nextBody()
        }
    }

    @Test func prefixExactlyAtTheCapIsAccepted() throws {
        var decoder = StreamFrameDecoder()
        decoder.append([0x01, 0x00, 0x00, 0x00])
        // Accepted: it waits for the body instead of refusing.
        #expect(try decoder.nextBody() == nil)
    }

    @Test func bodyFramingRefusesOversizedBodies() throws {
        #expect(try StreamFraming.frame(body: [0x12]) == [0, 0, 0, 1, 0x12])
        let big = [UInt8](repeating: 0, count: FrameLimits.maxFrameBytes + 1)
        #expect(throws: WireFormatError.self) { try StreamFraming.frame(body: big) }
    }
}
