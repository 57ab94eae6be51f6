/// Memory for key material: allocated once, wiped with `sodium_memzero` and freed when released,
/// never printed. Its bytes are written only while the owning key is being created, and only read
/// afterwards, hence `@unchecked Sendable`.
final class SecretBuffer: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<UInt8>
    let count: Int

    /// `count` zeroed bytes.
    init(count: Int) {
        self.count = count
        pointer = UnsafeMutablePointer<UInt8>.allocate(capacity: count)
        pointer.initialize(repeating: 0, count: count)
    }

    /// A copy of `bytes` (the caller wipes its own copy).
    convenience init(copying bytes: [UInt8]) {
        self.init(count: bytes.count)
        pointer.update(from: bytes, count: bytes.count)
    }

    /// The bytes from `offset`, as an array (for writing a key file or sealing a copy: handle
    /// with care).
    func bytes(from offset: Int = 0, count length: Int? = nil) -> [UInt8] {
        Array(UnsafeBufferPointer(start: pointer + offset, count: length ?? (count - offset)))
    }

    deinit {
        Sodium.wipe(UnsafeMutableRawBufferPointer(start: pointer, count: count))
        pointer.deallocate()
    }
}
