import Foundation

/// A calendar quarter, written `YYYY-Qn` (for example `2026-Q3`).
///
/// An incident is counted in the quarter the school learned of it. Periods order by time.
public struct Period: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// The year.
    public let year: Int
    /// 1 to 4.
    public let quarter: Int

    /// The earliest year a period may name.
    public static let earliestYear = 2000

    /// The quarter, or nil when the year is before 2000 or the quarter is not 1 to 4.
    public init?(year: Int, quarter: Int) {
        guard (1...4).contains(quarter), (Period.earliestYear...9999).contains(year) else { return nil }
        self.year = year
        self.quarter = quarter
    }

    /// Parses `YYYY-Qn` exactly (upper-case `Q`, four-digit year, quarter 1 to 4).
    public init?(_ text: some StringProtocol) {
        let u = Array(text.utf8)
        guard u.count == 7, u[4] == UInt8(ascii: "-"), u[5] == UInt8(ascii: "Q"),
            u[0..<4].allSatisfy({ (48...57).contains($0) }), (49...52).contains(u[6])
        else { return nil }
        let year = u[0..<4].reduce(0) { $0 * 10 + Int($1 - 48) }
        self.init(year: year, quarter: Int(u[6] - 48))
    }

    /// The quarter that contains `date` (UTC).
    public static func containing(_ date: Date) -> Period {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month], from: date)
        return Period(year: c.year!, quarter: (c.month! - 1) / 3 + 1)!
    }

    /// The first instant of the quarter (UTC midnight of its first day).
    public var startDate: Date {
        var c = DateComponents()
        c.year = year
        c.month = (quarter - 1) * 3 + 1
        c.day = 1
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        return calendar.date(from: c) ?? Date(timeIntervalSince1970: 0)
    }

    /// The quarter after this one.
    public var next: Period { quarter == 4 ? Period(year: year + 1, quarter: 1)! : Period(year: year, quarter: quarter + 1)! }

    /// The quarter before this one (nil before ``earliestYear``).
    public var previous: Period? { quarter == 1 ? Period(year: year - 1, quarter: 4) : Period(year: year, quarter: quarter - 1) }

    /// `count` consecutive quarters ending with this one.
    public func trailing(_ count: Int) -> [Period] {
        var out = [self]
        while out.count < count, let p = out[0].previous { out.insert(p, at: 0) }
        return out
    }

    /// A readable form, for messages.
    public var description: String { "\(year)-Q\(quarter)" }

    /// Earlier quarters come first.
    public static func < (a: Period, b: Period) -> Bool { (a.year, a.quarter) < (b.year, b.quarter) }

    /// Decodes the value from its JSON form.
    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let p = Period(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a period YYYY-Qn"))
        }
        self = p
    }

    /// Encodes the value in its JSON form.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}

/// The quarters a release covers: one quarter (`2026-Q3`) or consecutive quarters pooled
/// (`2025-Q4..2026-Q3`), as release files and queries write them.
public struct PeriodSpan: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// The first quarter covered.
    public let first: Period
    /// The last quarter covered.
    public let last: Period

    /// The most quarters one release may pool (ten years).
    public static let maxQuarters = 40

    /// One quarter.
    public init(_ period: Period) {
        first = period
        last = period
    }

    /// The quarters from `first` to `last` (nil when `last` comes first or the span is longer
    /// than ``maxQuarters``).
    public init?(first: Period, last: Period) {
        guard first <= last else { return nil }
        self.first = first
        self.last = last
        guard quarterCount <= Self.maxQuarters else { return nil }
    }

    /// Parses `YYYY-Qn` or `YYYY-Qn..YYYY-Qn`.
    public init?(_ text: some StringProtocol) {
        let parts = text.components(separatedBy: "..")
        if parts.count == 1, let p = Period(parts[0]) {
            self.init(p)
        } else if parts.count == 2, let a = Period(parts[0]), let b = Period(parts[1]), a < b {
            self.init(first: a, last: b)
        } else {
            return nil
        }
    }

    /// How many quarters the span covers.
    public var quarterCount: Int { (last.year - first.year) * 4 + last.quarter - first.quarter + 1 }

    /// Every quarter covered, oldest first.
    public var quarters: [Period] { last.trailing(quarterCount) }

    /// Whether the span is one quarter.
    public var isSingle: Bool { first == last }

    /// Whether the two spans share a quarter.
    public func overlaps(_ other: PeriodSpan) -> Bool { first <= other.last && other.first <= last }

    /// `2026-Q3`, or `2025-Q4..2026-Q3` for several quarters.
    public var description: String { isSingle ? first.description : "\(first)..\(last)" }

    /// By the last quarter, then the longer span first.
    public static func < (a: PeriodSpan, b: PeriodSpan) -> Bool { (a.last, b.first) < (b.last, a.first) }

    /// Decodes the value from its JSON form.
    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let p = PeriodSpan(text) else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "not a period YYYY-Qn or YYYY-Qn..YYYY-Qn"))
        }
        self = p
    }

    /// Encodes the value in its JSON form.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}

/// Times as Mosaic records them: ISO 8601 in UTC to the second (`2026-11-27T15:30:00Z`).
public enum Timestamp {
    /// `date` as an ISO 8601 UTC string.
    public static func utc(_ date: Date = Date()) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        return f.string(from: date)
    }
}

/// How far a school's clock is believed: a sealing time may be up to ``tolerance`` seconds ahead
/// of the authority's clock, or before the start of its quarter (school computers have wrong
/// clocks and time zones; hours, not minutes). Outside that, the package is refused and the
/// school asked to check its date.
public enum SealingClock {
    /// Twelve hours, in seconds.
    public static let tolerance: Int64 = 12 * 3600
}
