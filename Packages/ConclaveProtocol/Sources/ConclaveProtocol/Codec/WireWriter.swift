/// Appends values in bincode 2 `standard()` form: little-endian, varint integers, no limits.
///
/// Encoders always produce the shortest varint form, so output is canonical.
struct WireWriter {
    private(set) var bytes: [UInt8]

    init(capacity: Int = 64) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    mutating func writeRawByte(_ byte: UInt8) {
        bytes.append(byte)
    }

    mutating func writeVarint(_ value: UInt64) {
        switch value {
        case 0...250:
            bytes.append(UInt8(truncatingIfNeeded: value))
        case 251...0xFFFF:
            bytes.append(0xFB)
            appendLittleEndian(value, byteCount: 2)
        case 0x1_0000...0xFFFF_FFFF:
            bytes.append(0xFC)
            appendLittleEndian(value, byteCount: 4)
        default:
            bytes.append(0xFD)
            appendLittleEndian(value, byteCount: 8)
        }
    }

    mutating func writeU32(_ value: UInt32) {
        writeVarint(UInt64(value))
    }

    mutating func writeI64(_ value: Int64) {
        // Zigzag maps small magnitudes of either sign to small unsigned values.
        writeVarint(UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }

    mutating func writeBool(_ value: Bool) {
        bytes.append(value ? 1 : 0)
    }

    mutating func writeLength(_ count: Int) {
        writeVarint(UInt64(count))
    }

    mutating func writeString(_ value: String) {
        var value = value
        value.withUTF8 { utf8 in
            writeLength(utf8.count)
            bytes.append(contentsOf: utf8)
        }
    }

    mutating func writeBytes(_ value: [UInt8]) {
        writeLength(value.count)
        bytes.append(contentsOf: value)
    }

    mutating func writeOptional<T>(_ value: T?, _ writeValue: (inout WireWriter, T) -> Void) {
        if let value {
            bytes.append(1)
            writeValue(&self, value)
        } else {
            bytes.append(0)
        }
    }

    mutating func writeOptionalString(_ value: String?) {
        writeOptional(value) { $0.writeString($1) }
    }

    mutating func write<T: WireCodable>(_ value: T) {
        value.encode(to: &self)
    }

    mutating func writeSequence<T: WireCodable>(_ values: [T]) {
        writeLength(values.count)
        for value in values {
            value.encode(to: &self)
        }
    }

    private mutating func appendLittleEndian(_ value: UInt64, byteCount: Int) {
        var remaining = value
        for _ in 0..<byteCount {
            bytes.append(UInt8(truncatingIfNeeded: remaining))
            remaining >>= 8
        }
    }
}
