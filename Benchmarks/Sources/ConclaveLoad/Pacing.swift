import ArgumentParser
import NIOCore
import NIOPosix

/// How a subscriber reads: as fast as the event loop lets it, or like a real consumer (a bridge,
/// `tail`, a Python client) that takes a small chunk, works on it, and only then reads again.
///
/// Paced subscribers put the server under back-pressure: its socket writes meet a full send
/// buffer, which is the case that decides what a delivery costs in practice.
struct Pacing: Sendable, CustomStringConvertible {
    /// Bytes taken per read; 0 means unpaced.
    var chunk: Int
    /// The pause after each read.
    var pause: TimeAmount

    static let unpaced = Pacing(chunk: 0, pause: .zero)

    var isPaced: Bool { chunk > 0 }

    var description: String { isPaced ? "\(chunk) B per read, \(pause.nanoseconds / 1000) µs apart" : "unpaced" }

    /// Applies to a client bootstrap: reads are requested by ``PacedReader``, at most `chunk`
    /// bytes each.
    func configure(_ bootstrap: ClientBootstrap) -> ClientBootstrap {
        guard isPaced else { return bootstrap }
        return bootstrap
            .channelOption(.autoRead, value: false)
            .channelOption(.maxMessagesPerRead, value: 1)
            .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: chunk))
    }
}

/// The `--read-chunk`/`--read-pause-us` options shared by the scenarios.
struct PacingOptions: ParsableArguments {
    @Option(help: "Paced subscribers: bytes per read (0: read as fast as possible).") var readChunk = 0
    @Option(help: "Paced subscribers: microseconds between reads.") var readPauseUs = 1_000

    var pacing: Pacing { Pacing(chunk: readChunk, pause: .microseconds(Int64(readPauseUs))) }
}

/// First in a paced subscriber's pipeline: asks for one read when the connection opens and
/// another `pause` after each read completes (the channel's `autoRead` is off).
final class PacedReader: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let pause: TimeAmount

    init(pause: TimeAmount) {
        self.pause = pause
    }

    func channelActive(context: ChannelHandlerContext) {
        context.fireChannelActive()
        context.read()
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        context.fireChannelReadComplete()
        let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.eventLoop.scheduleTask(in: pause) {
            let context = loopBound.value
            if context.channel.isActive { context.read() }
        }
    }
}
