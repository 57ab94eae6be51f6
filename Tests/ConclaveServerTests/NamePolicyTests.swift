@testable import ConclaveServer
import ConclaveIdentity
import ConclaveProtocol
import Testing
import ConclaveStorage

@Suite("Unicode policy for names")
struct NamePolicyTests {
    @Test(arguments: [
        "alice\u{200B}", "\u{202E}ecila", "al\u{2028}ice", "a\u{2066}b", "\u{FEFF}x", "x\u{0378}", "\u{E000}x", "e\u{301}",
    ])
    func invisibleFormattingUnassignedOrDecomposedNamesAreRefused(_ name: String) {
        for kind in [ValueParseError.NameKind.username, .machine, .session, .channel] {
            #expect(throws: ValueParseError.self, "\(name.unicodeScalars.map(\.value))") { try NamePolicy.validate(name, kind: kind) }
        }
    }

    @Test func ordinaryNamesInAnyScriptPass() throws {
        for name in ["alice", "é-team", "Ünïcödé", "日本語", "ops-2", "a_b"] {
            try NamePolicy.validate(name, kind: .username)
        }
        // Spaces are fine inside channel names and handles, not inside usernames.
        try NamePolicy.validate("release notes", kind: .channel)
        for name in ["alice smith", "alice\u{00A0}smith", "a\u{3000}b"] {
            #expect(throws: ValueParseError.self) { try NamePolicy.validate(name, kind: .username) }
        }
    }

    @Test func skeletonsIdentifyLookAlikesWhateverTheCase() {
        #expect(ConfusableSkeleton.of("аlice") == ConfusableSkeleton.of("alice"), "Cyrillic а")
        #expect(ConfusableSkeleton.of("ALICE") == ConfusableSkeleton.of("alice"))
        #expect(ConfusableSkeleton.of("Conclave") == ConfusableSkeleton.of("conclave"))
        #expect(ConfusableSkeleton.of("paypa1") == ConfusableSkeleton.of("paypal"))
        #expect(ConfusableSkeleton.of("bob") != ConfusableSkeleton.of("alice"))
    }

    @Test func lookAlikeReservedAndInvisibleUsernamesAreRefusedAtRegistration() async throws {
        try await TestServer.with { server in
            let first = try await server.rawRegister(username: "alice", key: try newKey())
            #expect(first.first.map { if case .established = $0 { true } else { false } } == true)
            for (name, fragment) in [
                ("аlice", "too similar to the existing username `alice`"), ("ALICE", "too similar"), ("Alice", "too similar"),
                ("Conclave", "is reserved"), ("ϲonclave", "is reserved"), ("alice\u{200B}", "invisible"),
            ] {
                let refused = try await server.rawRegister(username: name, key: try newKey())
                guard case let .error(error)? = refused.first else {
                    Issue.record("`\(name)` was accepted: \(refused)")
                    continue
                }
                #expect("\(error)".contains(fragment), "\(name): \(error)")
            }
            let other = try await server.rawRegister(username: "bob", key: try newKey())
            #expect(other.first.map { if case .established = $0 { true } else { false } } == true)
        }
    }
}
