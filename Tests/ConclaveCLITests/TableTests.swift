@testable import ConclaveCLI
import Testing

@Suite("listing output")
struct TableTests {
    @Test func columnsAreAlignedWithoutTrailingSpaces() {
        var table = Table("CHANNEL", "VISIBILITY", "MEMBER")
        table.append("ops", "public", "")
        table.append("a-long-name", "private", "yes")
        #expect(table.lines() == [
            "CHANNEL      VISIBILITY  MEMBER",
            "ops          public",
            "a-long-name  private     yes",
        ])
    }

    @Test func controlCharactersFromPeersAreMadeVisible() {
        #expect(TerminalText.sanitized("plain text") == "plain text")
        #expect(TerminalText.sanitized("a\nb\tc\r") == #"a\nb\tc\r"#)
        #expect(TerminalText.sanitized("\u{1B}[31mred") == #"\u{1b}[31mred"#)
        #expect(TerminalText.sanitized("x\u{202E}y") == #"x\u{202e}y"#)
        #expect(TerminalText.sanitized("émoji 🎉") == "émoji 🎉")
    }

    @Test func jsonOutputIsSortedAndWritesAbsentValuesAsNull() throws {
        let document = JSONDocument.object(["b": .int(1), "a": .optional(nil as String?), "c": .array([.bool(true), .string("x/y")])])
        #expect(try document.rendered() == #"{"a":null,"b":1,"c":[true,"x/y"]}"#)
    }
}
