import ConclaveProtocol
import FuzzSupport

/// The most a decoded frame may hold per input byte (a one-byte empty string becomes a 16-byte
/// `String`, and arrays may have up to twice the room they use), plus a fixed allowance.
let allocationPerInputByte = 40
let allocationAllowance = 4 * 1024

/// Any bytes into the frame decoder (and the stream framing): it must never crash, whatever it
/// accepts must re-encode to bytes that decode to the same frame, and decoding may allocate at
/// most ``allocationPerInputByte`` bytes per input byte (hostile counts must not amplify memory).
func fuzzFrameDecoder(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = FuzzDriver.bytes(data, count)
    let before = FuzzDriver.heapBytesInUse()
    let decodedFrame = try? ProtocolMessage(wireBytes: bytes)
    if let before, let after = FuzzDriver.heapBytesInUse(), after - before > allocationPerInputByte * bytes.count + allocationAllowance {
        fatalError("decoding \(bytes.count) bytes holds \(after - before) bytes (\(decodedFrame?.name ?? "refused"))")
    }
    if let frame = decodedFrame {
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
