import ConclaveIdentity

/// The console's secret: 32 random bytes, shown as hex in the URL `conclave web` prints, and
/// compared in constant time.
struct ConsoleToken: Sendable {
    let text: String

    /// A new random token.
    init() throws {
        text = try SecureRandom.bytes(32).map { byte in
            let digits = Array("0123456789abcdef")
            return String([digits[Int(byte >> 4)], digits[Int(byte & 0x0f)]])
        }.joined()
    }

    /// A fixed token (tests).
    init(text: String) {
        self.text = text
    }

    /// Whether `presented` is this token; the time taken does not depend on where they differ.
    func matches(_ presented: String) -> Bool {
        let expected = Array(text.utf8)
        let given = Array(presented.utf8)
        guard expected.count == given.count else { return false }
        var difference: UInt8 = 0
        for (left, right) in zip(expected, given) { difference |= left ^ right }
        return difference == 0
    }
}
