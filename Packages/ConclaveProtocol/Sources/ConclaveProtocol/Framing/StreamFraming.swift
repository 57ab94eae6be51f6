/// Length-prefixed framing for raw byte streams (PROTOCOL.md §3.2): a 4-byte big-endian length,
/// then that many bytes of frame body.
///
/// WebSocket carries one frame per message and needs none of this; it exists for byte-stream
/// transports such as in-process loopback tests.
///
/// ```swift
/// let bytes = StreamFraming.frame(.ping)            // 00 00 00 01 12
/// var decoder = StreamFrameDecoder()
/// decoder.append(bytes)
/// let message = try decoder.nextMessage()           // .ping
/// ```
public enum StreamFraming {
    /// The size of the length prefix.
    public static let prefixLength = 4

    /// Prefixes `message`'s encoding with its length.
    public static func frame(_ message: ProtocolMessage) -> [UInt8] {
        let body = message.wireBytes
        var framed: [UInt8] = []
        framed.reserveCapacity(prefixLength + body.count)
        appendPrefix(UInt32(truncatingIfNeeded: body.count), to: &framed)
        framed.append(contentsOf: body)
        return framed
    }

    /// Prefixes an already encoded body; refuses bodies over ``FrameLimits/maxFrameBytes``.
    public static func frame(body: [UInt8]) throws(WireFormatError) -> [UInt8] {
        guard body.count <= FrameLimits.maxFrameBytes else {
            throw .frameTooLarge(length: body.count, limit: FrameLimits.maxFrameBytes)
        }
        var framed: [UInt8] = []
        framed.reserveCapacity(prefixLength + body.count)
        appendPrefix(UInt32(body.count), to: &framed)
        framed.append(contentsOf: body)
        return framed
    }

    private static func appendPrefix(_ length: UInt32, to bytes: inout [UInt8]) {
        bytes.append(UInt8(truncatingIfNeeded: length >> 24))
        bytes.append(UInt8(truncatingIfNeeded: length >> 16))
        bytes.append(UInt8(truncatingIfNeeded: length >> 8))
        bytes.append(UInt8(truncatingIfNeeded: length))
    }
}

/// Splits a byte stream into length-prefixed frames, in whatever chunks the bytes arrive.
///
/// A declared length over ``FrameLimits/maxFrameBytes`` is refused as soon as the prefix is
/// complete, before any of the body is buffered. After an error the stream is unusable.
public struct StreamFrameDecoder: Sendable {
    private var buffer: [UInt8] = []
    private var readIndex = 0

    /// Creates an empty decoder.
    public init() {}

    /// Bytes received but not yet returned as frames.
    public var bufferedByteCount: Int { buffer.count - readIndex }

    /// Adds received bytes.
    public mutating func append(_ bytes: some Sequence<UInt8>) {
        buffer.append(contentsOf: bytes)
    }

    /// The next complete frame body, or `nil` until more bytes arrive.
    public mutating func nextBody() throws(WireFormatError) -> [UInt8]? {
        guard bufferedByteCount >= StreamFraming.prefixLength else { return nil }
        var length = 0
        for index in readIndex..<readIndex + StreamFraming.prefixLength {
            length = length << 8 | Int(buffer[index])
        }
        guard length <= FrameLimits.maxFrameBytes else {
            throw .frameTooLarge(length: length, limit: FrameLimits.maxFrameBytes)
        }
        let bodyStart = readIndex + StreamFraming.prefixLength
        guard buffer.count - bodyStart >= length else { return nil }
        let body = Array(buffer[bodyStart..<bodyStart + length])
        readIndex = bodyStart + length
        compactIfWorthwhile()
        return body
    }

    /// The next complete frame, decoded, or `nil` until more bytes arrive.
    public mutating func nextMessage() throws(WireFormatError) -> ProtocolMessage? {
        guard let body = try nextBody() else { return nil }
        return try ProtocolMessage(wireBytes: body)
    }

    private mutating func compactIfWorthwhile() {
        if readIndex == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            readIndex = 0
        } else if readIndex > 4096, readIndex * 2 > buffer.count {
            buffer.removeFirst(readIndex)
            readIndex = 0
        }
    }
}
