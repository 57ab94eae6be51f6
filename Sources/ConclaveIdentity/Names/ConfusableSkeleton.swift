import Foundation

/// The confusable skeleton of a name (Unicode Technical Standard #39, section 4), made
/// case-insensitive: two usernames with one skeleton look alike (`alice` and Cyrillic `аlice`,
/// `Conclave` and `conclave`), so a new username whose skeleton an existing one has is refused.
///
/// skeleton(x) = lowercase(NFD(map(NFD(lowercase(x))))), where `map` replaces each code point
/// by its prototype from Unicode's confusables.txt (``table``, generated).
public enum ConfusableSkeleton {
    /// The skeleton of `name`.
    public static func of(_ name: String) -> String {
        var mapped = String.UnicodeScalarView()
        for scalar in name.lowercased().decomposedStringWithCanonicalMapping.unicodeScalars {
            if let prototype = prototypes[scalar.value] {
                mapped.append(contentsOf: prototype)
            } else {
                mapped.append(scalar)
            }
        }
        return String(mapped).decomposedStringWithCanonicalMapping.lowercased()
    }

    /// confusables.txt as a dictionary, parsed once on first use.
    private static let prototypes: [UInt32: [Unicode.Scalar]] = {
        var result: [UInt32: [Unicode.Scalar]] = [:]
        result.reserveCapacity(6_400)
        for line in table.split(separator: "\n") {
            let sides = line.split(separator: ">", maxSplits: 1)
            guard sides.count == 2, let source = UInt32(sides[0], radix: 16) else { continue }
            let targets = sides[1].split(separator: " ").compactMap { UInt32($0, radix: 16).flatMap(Unicode.Scalar.init) }
            result[source] = targets
        }
        return result
    }()
}
