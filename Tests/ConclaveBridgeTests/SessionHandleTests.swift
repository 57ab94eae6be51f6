import ConclaveBridge
import Testing

@Suite("session handles")
struct SessionHandleTests {
    @Test func theDefaultIsTheDirectoryName() {
        #expect(SessionHandle.defaultBase(forDirectory: "/home/aaron/projects/razel") == "razel")
        #expect(SessionHandle.defaultBase(forDirectory: "/") == "session")
        #expect(SessionHandle.defaultBase(forDirectory: "/tmp/ bad") == "session")
    }

    @Test func defaultedHandlesAdvancePerServerAndExplicitOnesNever() {
        var handle = SessionHandle(base: "fleet", isExplicit: false)
        #expect(handle.advance(on: "a") == "fleet-2")
        #expect(handle.advance(on: "a") == "fleet-3")
        #expect(handle.name(on: "b") == "fleet")
        var pinned = SessionHandle(base: "mine", isExplicit: true)
        #expect(pinned.advance(on: "a") == nil)
        #expect(pinned.name(on: "a") == "mine")
    }
}
