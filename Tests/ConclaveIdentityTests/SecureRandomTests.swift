import ConclaveIdentity
import Testing

/// Invite tokens are pasted after flags and as positional arguments: none may look like an option.
@Suite("Random tokens")
struct SecureRandomTests {
    @Test func tokensAreDistinctBase64URLAndNeverBeginWithADash() throws {
        // Without the rule, 2,000 tokens hold one beginning with `-` but for odds of 2 in 10^14.
        let tokens = try (0..<2_000).map { _ in try SecureRandom.token() }
        #expect(Set(tokens).count == tokens.count)
        #expect(tokens.allSatisfy { $0.count == 32 && $0.first != "-" })
        #expect(tokens.allSatisfy { $0.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" } })
    }
}
