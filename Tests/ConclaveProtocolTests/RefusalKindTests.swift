import ConclaveProtocol
import Testing

/// Clients recognise the server's refusals through `Refusal.Kind`, which reads back the texts the
/// server builds with `Refusal`'s constructors: each must come back as its own kind, and nothing
/// else may be mistaken for one.
@Suite("Refusal kinds")
struct RefusalKindTests {
    @Test func everyRefusalTheServerBuildsIsRecognised() {
        let cases: [(ProtocolError, Refusal.Kind)] = [
            (Refusal.adminRequired, .adminRequired),
            (Refusal.unknownMachineKey, .unknownMachineKey),
            (Refusal.storage, .storage),
            (Refusal.keyAlreadyEnrolled, .keyAlreadyEnrolled),
            (.unauthorized(Refusal.machineRevokedReason), .revoked),
            (.unauthorized(Refusal.keyReclaimedReason), .revoked),
            (.unauthorized(Refusal.userRemovedReason), .revoked),
            (.unauthorized(Refusal.supersededReason), .superseded),
            (Refusal.usernameTaken("aaron"), .usernameTaken),
            (Refusal.usernameTakenWithoutMachines("lonely"), .usernameTakenWithoutMachines),
            (Refusal.usernameReservedForAnotherKey("root-ops"), .usernameReservedForAnotherKey),
            (Refusal.channelNotFound("secret"), .channelNotFound),
            (Refusal.notMember("ops"), .notMember),
        ]
        for (error, kind) in cases {
            #expect(Refusal.Kind(error) == kind, "\(error)")
        }
        #expect(Set(cases.map(\.1)) == Set(Refusal.Kind.allCases))
    }

    @Test func otherTextsAndOtherErrorKindsAreNotMistakenForOne() {
        let others: [ProtocolError] = [
            .unauthorized("not a member of channel `x`, sort of"),
            .notFound("not a member of channel `x`"),
            .unauthorized("username `bob` is already taken, says someone else"),
            .unauthorized("channel name `x` is already taken"),
            .notFound("session `a/b/c` is not online"),
            .internal("storage failure, probably"),
            // The right text under the wrong error kind is not the refusal.
            .notFound("unknown machine key"),
            .internal("session superseded by a newer connection for the same session path"),
            .malformedFrame("channel `x` not found"),
            .versionMismatch(ours: 1, theirs: 2),
        ]
        for error in others {
            #expect(Refusal.Kind(error) == nil, "\(error)")
        }
    }

    @Test func namesThatLookLikeTheTemplateStillClassifyByTheWholeText() {
        // A name containing the template's own words does not confuse the two username texts.
        #expect(Refusal.Kind(Refusal.usernameTaken("is already taken")) == .usernameTaken)
        #expect(Refusal.Kind(Refusal.usernameTakenWithoutMachines("no machine left")) == .usernameTakenWithoutMachines)
        #expect(Refusal.Kind(Refusal.channelNotFound("")) == .channelNotFound)
    }
}
