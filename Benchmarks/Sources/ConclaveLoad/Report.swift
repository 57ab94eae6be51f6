import Foundation

/// Percentiles and the one-line JSON every scenario prints.
enum Report {
    static func percentile(_ sorted: [Double], _ fraction: Double) -> Double {
        guard !sorted.isEmpty else { return .nan }
        let index = min(sorted.count - 1, Int((fraction * Double(sorted.count - 1)).rounded()))
        return sorted[index]
    }

    static func print(_ fields: [String: Any]) {
        // JSON has no NaN: a percentile of no samples (every subscriber cut) is null, and the
        // other fields still say what happened.
        func finite(_ value: Any) -> Any {
            if let number = value as? Double, !number.isFinite { return NSNull() }
            if let nested = value as? [String: Any] { return nested.mapValues(finite) }
            return value
        }
        let finite = fields.mapValues(finite)
        let data = (try? JSONSerialization.data(withJSONObject: finite, options: [.sortedKeys])) ?? Data("{}".utf8)
        Swift.print(String(decoding: data, as: UTF8.self))
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    static func rounded(_ value: Double, _ places: Int = 3) -> Double {
        let scale = pow(10, Double(places))
        return (value * scale).rounded() / scale
    }
}
