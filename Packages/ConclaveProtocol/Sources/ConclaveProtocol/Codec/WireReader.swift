/// Reads bincode 2 `standard()` values from a byte array, defensively.
///
/// Every declared length is compared with the bytes that remain **before** anything is allocated,
/// so a hostile length prefix costs nothing (PROTOCOL.md §4.6). Every element in this protocol
/// takes at least one byte, so `count > remaining` is always an error.
struct WireReader {
    private let bytes: [UInt8]
    private(set) var offset: Int

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
        offset = 0
    }

    var remaining: Int { bytes.count - offset }

    mutating func readRawByte() throws(WireFormatError) -> UInt8 {
        guard offset < bytes.count else {
            throw .unexpectedEnd(offset: offset, needed: 1)
        }
        let byte = bytes[offset]
        offset += 1
        return byte
    }

    mutating func readU32() throws(WireFormatError) -> UInt32 {
        let start = offset
        let marker = try readRawByte()
        switch marker {
        case 0...250:
            return UInt32(marker)
        case 0xFB:
            return UInt32(try readLittleEndian(byteCount: 2))
        case 0xFC:
            return UInt32(try readLittleEndian(byteCount: 4))
        default:
            // bincode 2 refuses wider markers for a u32 even when the value would fit.
            throw .invalidIntegerMarker(offset: start, marker: marker, target: .u32)
        }
    }

    mutating func readU64() throws(WireFormatError) -> UInt64 {
        let start = offset
        let marker = try readRawByte()
        switch marker {
        case 0...250:
            return UInt64(marker)
        case 0xFB:
            return try readLittleEndian(byteCount: 2)
        case 0xFC:
            return try readLittleEndian(byteCount: 4)
        case 0xFD:
            return try readLittleEndian(byteCount: 8)
        default:
            throw .invalidIntegerMarker(offset: start, marker: marker, target: .u64)
        }
    }

    mutating func readI64() throws(WireFormatError) -> Int64 {
        let zigzag = try readU64()
        return Int64(bitPattern: zigzag >> 1) ^ -Int64(bitPattern: zigzag & 1)
    }

    mutating func readBool() throws(WireFormatError) -> Bool {
        try readZeroOrOne { .invalidBool(offset: $0, byte: $1) }
    }

    /// Reads an `Option` tag; `true` means a value follows.
    mutating func readOptionTag() throws(WireFormatError) -> Bool {
        try readZeroOrOne { .invalidOptionTag(offset: $0, byte: $1) }
    }

    /// Reads a byte that must be `00` or `01`; `invalid` builds the error from offset and byte.
    private mutating func readZeroOrOne(
        _ invalid: (Int, UInt8) -> WireFormatError
    ) throws(WireFormatError) -> Bool {
        let start = offset
        switch try readRawByte() {
        case 0: return false
        case 1: return true
        case let byte: throw invalid(start, byte)
        }
    }

    /// Reads a length or element count and checks it against the remaining input.
    mutating func readLength() throws(WireFormatError) -> Int {
        let start = offset
        let declared = try readU64()
        guard declared <= UInt64(remaining) else {
            throw .lengthExceedsInput(offset: start, declared: declared, remaining: remaining)
        }
        return Int(declared)
    }

    /// Reads an enum variant index and checks it against the number of variants.
    mutating func readVariantIndex(of type: String, count: Int) throws(WireFormatError) -> UInt32 {
        let index = try readU32()
        guard index < count else {
            throw .unknownVariant(type: type, index: index, count: count)
        }
        return index
    }

    mutating func readString() throws(WireFormatError) -> String {
        let count = try readLength()
        let start = offset
        let decoded: String? = bytes.withUnsafeBufferPointer { buffer in
            let slice = UnsafeBufferPointer(rebasing: buffer[start..<start + count])
            // Validated first, so `decoding` never has anything to repair.
            return UTF8Validation.isValid(slice) ? String(decoding: slice, as: UTF8.self) : nil
        }
        guard let decoded else {
            throw .invalidUTF8(offset: start)
        }
        offset += count
        return decoded
    }

    mutating func readBytes() throws(WireFormatError) -> [UInt8] {
        let count = try readLength()
        let slice = bytes[offset..<offset + count]
        offset += count
        return Array(slice)
    }

    mutating func readOptional<T>(
        _ readValue: (inout WireReader) throws(WireFormatError) -> T
    ) throws(WireFormatError) -> T? {
        try readOptionTag() ? try readValue(&self) : nil
    }

    mutating func readOptionalString() throws(WireFormatError) -> String? {
        try readOptional { reader throws(WireFormatError) in try reader.readString() }
    }

    mutating func read<T: WireCodable>(_: T.Type = T.self) throws(WireFormatError) -> T {
        try T(from: &self)
    }

    /// Reads a sequence. Its count must fit the remaining bytes at the element type's smallest
    /// encoding, and space is reserved for at most 1,024 values up front: the rest grows as values
    /// actually decode, so memory follows the bytes received, not the count a peer claims.
    mutating func readSequence<T: WireCodable>(of _: T.Type = T.self) throws(WireFormatError) -> [T] {
        let start = offset
        let count = try readLength()
        guard count <= remaining / T.minimumWireSize else {
            throw .lengthExceedsInput(offset: start, declared: UInt64(count), remaining: remaining)
        }
        var values: [T] = []
        values.reserveCapacity(Swift.min(count, 1_024))
        for _ in 0..<count {
            values.append(try T(from: &self))
        }
        return values
    }

    private mutating func readLittleEndian(byteCount: Int) throws(WireFormatError) -> UInt64 {
        guard remaining >= byteCount else {
            throw .unexpectedEnd(offset: offset, needed: byteCount - remaining)
        }
        var value: UInt64 = 0
        for index in 0..<byteCount {
            value |= UInt64(bytes[offset + index]) << (8 * UInt64(index))
        }
        offset += byteCount
        return value
    }
}
