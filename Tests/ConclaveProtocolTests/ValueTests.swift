import ConclaveProtocol
import Testing

@Suite("Session paths, tokens, levels and versions")
struct ValueTests {
    @Test func sessionPathRoundTripsThroughText() throws {
        let path = try SessionPath(parsing: "aaron/workstation/razel")
        #expect(path == SessionPath(user: "aaron", machine: "workstation", session: "razel"))
        #expect(path.description == "aaron/workstation/razel")
    }

    @Test(arguments: ["", "a/b", "a/b/c/d", "a//c", "/b/c", "a/b/", "a/b\n/c", " a/b/c"])
    func malformedPathsAreRejected(_ text: String) {
        #expect(throws: ValueParseError.invalidSessionPath(text)) { try SessionPath(parsing: text) }
    }

    @Test func componentRulesExplainThemselves() {
        #expect(SessionPath.isValidComponent("日本語 ✓"))
        #expect(SessionPath.isValidComponent(String(repeating: "a", count: SessionPath.maxComponentBytes)))
        let cases: [(String, String)] = [
            ("", "must not be empty"),
            ("a/b", "must not contain `/`"),
            ("bell\u{7}", "must not contain control characters"),
            (" bob", "must not start or end with whitespace"),
            (String(repeating: "a", count: SessionPath.maxComponentBytes + 1), "at most 128 bytes"),
        ]
        for (name, reason) in cases {
            #expect(throws: ValueParseError.invalidName(kind: .username, value: name, reason: reason)) {
                try SessionPath.validateComponent(name, kind: .username)
            }
        }
        let message = ValueParseError.invalidName(kind: .session, value: "a/b", reason: "must not contain `/`").description
        #expect(message == "invalid session handle: `a/b` (must not contain `/`)")
    }

    @Test func visibilityTokens() throws {
        for visibility in Visibility.allCases {
            #expect(try Visibility(token: visibility.token) == visibility)
        }
        #expect(throws: ValueParseError.unknownVisibility("Public")) { try Visibility(token: "Public") }
        #expect(ValueParseError.unknownVisibility("x").description
            == "unknown visibility tier `x` (expected public, unlisted, or private)")
    }

    @Test func permissionLevelsAreOrderedAndGateEmitting() throws {
        #expect(PermissionLevel.allCases == [.mute, .notify, .converse, .act])
        #expect(PermissionLevel.mute < .notify && PermissionLevel.notify < .converse && PermissionLevel.converse < .act)
        #expect(PermissionLevel.allCases.filter(\.mayEmit) == [.converse, .act])
        #expect(PermissionLevel.default == .notify)
        for level in PermissionLevel.allCases {
            #expect(try PermissionLevel(token: level.token) == level)
        }
        #expect(throws: ValueParseError.unknownPermissionLevel("ACT")) { try PermissionLevel(token: "ACT") }
        #expect(ValueParseError.unknownPermissionLevel("x").description
            == "unknown permission level `x` (expected mute, notify, converse, or act)")
    }

    @Test func versionNegotiation() {
        #expect(PROTOCOL_VERSION == 1)
        #expect(ProtocolVersion.negotiate(offered: 1) == .accepted(1))
        #expect(ProtocolVersion.negotiate(offered: 2) == .rejected(.versionMismatch(ours: 1, theirs: 2)))
        #expect(ProtocolError.versionMismatch(ours: 1, theirs: 2).description == "incompatible protocol version: ours=1, theirs=2")
    }

    @Test func errorDisplayForms() {
        #expect(ProtocolError.malformedFrame("x").description == "malformed frame: x")
        #expect(ProtocolError.unauthorized("x").description == "unauthorized: x")
        #expect(ProtocolError.notFound("x").description == "not found: x")
        #expect(ProtocolError.internal("x").description == "internal error: x")
    }
}
