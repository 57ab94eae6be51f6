/// How fast something may happen: `count` per `period`, with bursts of up to `burst`.
///
/// Written `COUNT/UNIT` or `COUNT/UNIT:BURST`, with UNIT one of `s`, `min`, `h` (`20/s:100`,
/// `10/min`); without a burst, the burst is `COUNT`.
public struct RateRule: Sendable, Hashable, CustomStringConvertible {
    /// Actions per period.
    public let count: Int
    /// The period, in seconds.
    public let periodSeconds: Int
    /// Most actions at once after a quiet spell.
    public let burst: Int

    /// Creates a rule; `burst` defaults to `count`.
    public init(count: Int, periodSeconds: Int, burst: Int? = nil) {
        self.count = max(1, count)
        self.periodSeconds = max(1, periodSeconds)
        self.burst = max(1, burst ?? count)
    }

    /// `count` per second.
    public static func perSecond(_ count: Int, burst: Int? = nil) -> RateRule {
        RateRule(count: count, periodSeconds: 1, burst: burst)
    }

    /// `count` per minute.
    public static func perMinute(_ count: Int, burst: Int? = nil) -> RateRule {
        RateRule(count: count, periodSeconds: 60, burst: burst)
    }

    /// Parses `COUNT/UNIT[:BURST]`; `nil` when the text is not of that form.
    public init?(parsing text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count) else { return nil }
        let rate = parts[0].split(separator: "/", omittingEmptySubsequences: false)
        guard rate.count == 2, let count = Int(rate[0]), count > 0 else { return nil }
        let period: Int
        switch rate[1] {
        case "s", "sec": period = 1
        case "m", "min": period = 60
        case "h", "hour": period = 3600
        default: return nil
        }
        var burst: Int?
        if parts.count == 2 {
            guard let value = Int(parts[1]), value > 0 else { return nil }
            burst = value
        }
        self.init(count: count, periodSeconds: period, burst: burst)
    }

    /// Tokens added per second.
    var perSecond: Double { Double(count) / Double(periodSeconds) }

    public var description: String {
        let unit = switch periodSeconds {
        case 1: "s"
        case 60: "min"
        case 3600: "h"
        default: "\(periodSeconds)s"
        }
        return burst == count ? "\(count)/\(unit)" : "\(count)/\(unit):\(burst)"
    }
}
