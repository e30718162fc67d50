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

/// Times as Mosaic records them: ISO 8601 in UTC to the second (`2026-11-27T15:30:00Z`).
public enum Timestamp {
    /// `date` as an ISO 8601 UTC string.
    public static func utc(_ date: Date = Date()) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        return f.string(from: date)
    }
}
