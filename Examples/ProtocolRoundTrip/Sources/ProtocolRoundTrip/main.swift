import ConclaveProtocol
import Foundation

// Round-trips a few frames through the public API and checks one against the reference bytes.
let path = SessionPath(user: "aaron", machine: "workstation", session: "razel")
let frames: [ProtocolMessage] = [
    .hello(protocolVersion: PROTOCOL_VERSION, session: "razel"),
    .channelMessage(channel: "ops", from: path, payload: .plain("hello, agents")),
    .admin(.inviteCreate(channel: "ops", uses: 1, expiresInSecs: 3600)),
    .readSince(channel: "ops", sinceMs: -1),
]
var failures = 0
for frame in frames {
    do {
        if try ProtocolMessage(wireBytes: frame.wireBytes) != frame {
            print("round trip changed \(frame)")
            failures += 1
        }
    } catch {
        print("could not decode \(frame): \(error)")
        failures += 1
    }
}
if frames[0].wireBytes != [0x00, 0x01, 0x05, 0x72, 0x61, 0x7A, 0x65, 0x6C] {
    print("Hello does not match the reference encoding")
    failures += 1
}
print(failures == 0 ? "ConclaveProtocol round trip: \(frames.count) frames OK" : "ConclaveProtocol round trip: \(failures) failure(s)")
exit(failures == 0 ? 0 : 1)
