import ConclaveProtocol
import FuzzSupport

/// Any bytes into the frame decoder (and the stream framing): it must never crash, and whatever
/// it accepts must re-encode to bytes that decode to the same frame.
func fuzzFrameDecoder(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = FuzzDriver.bytes(data, count)
    if let frame = try? ProtocolMessage(wireBytes: bytes) {
        let again = frame.wireBytes
        guard let decoded = try? ProtocolMessage(wireBytes: again), decoded == frame, decoded.wireBytes == again else {
            fatalError("round trip changed the frame: \(frame.name)")
        }
        _ = frame.description
    }
    if let payload = try? Payload(wireBytes: bytes) {
        guard (try? Payload(wireBytes: payload.wireBytes)) == payload else { fatalError("payload round trip") }
    }
    var decoder = StreamFrameDecoder()
    decoder.append(bytes)
    // Stops at the first error or when more bytes are needed.
    while case .some? = try? decoder.nextMessage() {}
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func testOneInput(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt { fuzzFrameDecoder(data, count) }

@_cdecl("FuzzFrameDecoder_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    FuzzDriver.run(argc, argv, fuzzFrameDecoder)
}
