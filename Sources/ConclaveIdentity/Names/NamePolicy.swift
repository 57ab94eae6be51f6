public import ConclaveProtocol
import Foundation

/// The Unicode policy for every name (usernames, machine names, session handles, channel
/// names): ``SessionPath/validateComponent(_:kind:)`` (no `/`, controls, invisible, formatting,
/// separator or unassigned characters, surrounding whitespace or more than 128 bytes), and NFC.
///
/// NFC is required rather than applied: a server that normalised silently would give a client a
/// different name from the one it asked for, and two spellings of one name would both exist.
public enum NamePolicy {
    /// Throws when `name` is not an acceptable `kind` name.
    public static func validate(_ name: String, kind: ValueParseError.NameKind) throws(ValueParseError) {
        try SessionPath.validateComponent(name, kind: kind)
        // A username is typed in commands, paths (`user/machine/session`) and mentions: a space
        // inside one needs quoting everywhere and reads as two words.
        if kind == .username, name.unicodeScalars.contains(where: { $0.properties.isWhitespace }) {
            throw .invalidName(kind: kind, value: name, reason: "must not contain spaces (use `-` or `_`)")
        }
        if !isNFC(name) {
            throw .invalidName(kind: kind, value: name, reason: "must be in Unicode normalisation form C (compose accents with their letters)")
        }
    }

    /// Whether `name` is already in NFC.
    public static func isNFC(_ name: String) -> Bool {
        // Swift compares strings by canonical equivalence, so compare the scalars.
        name.unicodeScalars.elementsEqual(name.precomposedStringWithCanonicalMapping.unicodeScalars)
    }
}
