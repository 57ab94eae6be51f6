/// The body of an `Error` frame: a server's refusal or a termination reason.
///
/// The strings are human-readable detail; do not branch on them. The description is the display
/// form the reference uses (`unauthorized: …`); the prefixes are not on the wire.
public enum ProtocolError: Error, Sendable, Hashable, CustomStringConvertible {
    /// `Hello` carried a version the server does not speak.
    case versionMismatch(ours: UInt32, theirs: UInt32)
    /// Wrong frame for the state, invalid names, bad key or signature length.
    case malformedFrame(String)
    /// Authentication or authorization failure, and server-initiated termination.
    case unauthorized(String)
    /// Absent (or invisible) channel, offline whisper target.
    case notFound(String)
    /// Server-side failure (database, RNG).
    case `internal`(String)

    static let variantCount = 5

    public var description: String {
        switch self {
        case let .versionMismatch(ours, theirs):
            "incompatible protocol version: ours=\(ours), theirs=\(theirs)"
        case let .malformedFrame(detail): "malformed frame: \(detail)"
        case let .unauthorized(detail): "unauthorized: \(detail)"
        case let .notFound(detail): "not found: \(detail)"
        case let .internal(detail): "internal error: \(detail)"
        }
    }
}

extension ProtocolError: WireCodable {
    init(from reader: inout WireReader) throws(WireFormatError) {
        switch try reader.readVariantIndex(of: "ProtocolError", count: Self.variantCount) {
        case 0: self = .versionMismatch(ours: try reader.readU32(), theirs: try reader.readU32())
        case 1: self = .malformedFrame(try reader.readString())
        case 2: self = .unauthorized(try reader.readString())
        case 3: self = .notFound(try reader.readString())
        default: self = .internal(try reader.readString())
        }
    }

    func encode(to writer: inout WireWriter) {
        switch self {
        case let .versionMismatch(ours, theirs):
            writer.writeU32(0)
            writer.writeU32(ours)
            writer.writeU32(theirs)
        case let .malformedFrame(detail):
            writer.writeU32(1)
            writer.writeString(detail)
        case let .unauthorized(detail):
            writer.writeU32(2)
            writer.writeString(detail)
        case let .notFound(detail):
            writer.writeU32(3)
            writer.writeString(detail)
        case let .internal(detail):
            writer.writeU32(4)
            writer.writeString(detail)
        }
    }
}
