import ConclaveProtocol

// Decodes or encodes a 200-byte-body ChannelMsg N times, for instruction counts under callgrind:
//   swift build -c release --product CodecProbe
//   valgrind --tool=callgrind .build/release/CodecProbe 50000 decode
let frame = ProtocolMessage.channelMessage(
    channel: "ops",
    from: SessionPath(user: "aaron", machine: "workstation", session: "razel"),
    payload: .plain(String(repeating: "a", count: 200)))
let bytes = frame.wireBytes
let count = Int(CommandLine.arguments.dropFirst().first ?? "") ?? 1_000_000
let decode = CommandLine.arguments.count < 3 || CommandLine.arguments[2] == "decode"
var checksum = 0
for _ in 0..<count {
    if decode {
        if case let .channelMessage(channel, _, _)? = try? ProtocolMessage(wireBytes: bytes) { checksum &+= channel.utf8.count }
    } else {
        checksum &+= frame.wireBytes.count
    }
}
print(decode ? "decoded" : "encoded", count, "frames, checksum", checksum)
