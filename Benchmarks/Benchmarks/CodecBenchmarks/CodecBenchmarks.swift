import Benchmark
import ConclaveProtocol

/// A `ChannelMsg` with a 200-byte body: the frame every fan-out decodes and encodes.
let channelMessage = ProtocolMessage.channelMessage(
    channel: "ops",
    from: SessionPath(user: "aaron", machine: "workstation", session: "razel"),
    payload: .plain(String(repeating: "a", count: 200)))
let channelMessageBytes = channelMessage.wireBytes

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.throughput, .wallClock, .mallocCountTotal, .instructions],
        scalingFactor: .kilo,
        maxDuration: .seconds(3),
        maxIterations: 1_000_000)

    Benchmark("Decode ChannelMsg (200-byte body)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try? ProtocolMessage(wireBytes: channelMessageBytes))
        }
    }

    Benchmark("Encode ChannelMsg (200-byte body)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(channelMessage.wireBytes)
        }
    }
}
