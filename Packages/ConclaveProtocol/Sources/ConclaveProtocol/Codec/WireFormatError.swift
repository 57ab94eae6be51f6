/// Why a byte string is not a valid v1 frame (or payload).
///
/// Every decoding failure is one of these values; the decoder never traps on hostile input.
/// Descriptions name the problem and the byte offset, never the content of the input.
public enum WireFormatError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The input ended while `needed` more bytes were required at `offset`.
    case unexpectedEnd(offset: Int, needed: Int)
    /// A declared string, byte or element count is larger than the bytes that remain.
    case lengthExceedsInput(offset: Int, declared: UInt64, remaining: Int)
    /// A varint marker byte that the target integer type does not accept (for example `0xFD` for
    /// a `u32`, or the reserved `0xFE`/`0xFF`).
    case invalidIntegerMarker(offset: Int, marker: UInt8, target: IntegerTarget)
    /// A variant index outside the enum's declared range.
    case unknownVariant(type: String, index: UInt32, count: Int)
    /// A `bool` byte other than `00` or `01`.
    case invalidBool(offset: Int, byte: UInt8)
    /// An `Option` tag other than `00` or `01`.
    case invalidOptionTag(offset: Int, byte: UInt8)
    /// String bytes that are not strict UTF-8.
    case invalidUTF8(offset: Int)
    /// The whole input exceeds the 16 MiB frame cap.
    case frameTooLarge(length: Int, limit: Int)

    /// The integer type a varint was being read into; it decides which markers are legal.
    public enum IntegerTarget: String, Sendable, Hashable {
        /// A `u32` field or an enum variant index: markers `FB` and `FC` only.
        case u32
        /// A `u64`/`i64` field or a length: markers `FB`, `FC` and `FD`.
        case u64
    }

    public var description: String {
        switch self {
        case let .unexpectedEnd(offset, needed):
            return "unexpected end of frame at byte \(offset): \(needed) more byte(s) needed"
        case let .lengthExceedsInput(offset, declared, remaining):
            return "length at byte \(offset) declares \(declared) but only \(remaining) byte(s) remain"
        case let .invalidIntegerMarker(offset, marker, target):
            let hex = String(marker, radix: 16)
            return "invalid varint marker 0x\(hex) for a \(target.rawValue) at byte \(offset)"
        case let .unknownVariant(type, index, count):
            return "unknown \(type) variant \(index) (expected 0..<\(count))"
        case let .invalidBool(offset, byte):
            return "invalid bool byte \(byte) at byte \(offset)"
        case let .invalidOptionTag(offset, byte):
            return "invalid option tag \(byte) at byte \(offset)"
        case let .invalidUTF8(offset):
            return "string at byte \(offset) is not valid UTF-8"
        case let .frameTooLarge(length, limit):
            return "frame of \(length) bytes exceeds the \(limit)-byte limit"
        }
    }
}
