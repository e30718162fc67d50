import Foundation
import MosaicCodebook
import MosaicErrorModel
import MosaicQuery
import MosaicReleaseFile

/// A published figure as a report shows it.
public struct Figure: Sendable, Equatable, Codable {
    /// The value; nil when withheld.
    public var value: Int?
    /// Half-width of the 95 % interval; nil when withheld.
    public var moe95: Double?
    /// `published`; why a single value is withheld (`below_k`, `small_area`, `complementary`, or
    /// `suppressed` in files made before reasons were recorded); `bounded` (a sum with withheld
    /// cells inside); or `unavailable`.
    public var status: String
    /// The lower end of the range a withheld value lies in.
    public var lower: Int?
    /// The upper end of the range a withheld value lies in.
    public var upper: Int?

    /// The figure of a release row (withheld when the row is).
    public static func from(_ row: ReleaseRow?) -> Figure {
        guard let row else { return Figure(value: nil, moe95: nil, status: "unavailable") }
        return Figure(value: row.value, moe95: row.moe95, status: row.status.rawValue)
    }

    /// The range of rates per 10,000 `pupils` this withheld figure's range gives (nil without a
    /// range or pupils).
    public func rateRange(pupils: Double?) -> (lower: Double, upper: Double?)? {
        guard value == nil, let pupils, pupils > 0, let lo = lower else { return nil }
        return (Double(lo) / pupils * 10_000, upper.map { Double($0) / pupils * 10_000 })
    }

    /// The figure of a query answer (a range when withheld cells are inside).
    public static func from(_ a: QueryAnswer) -> Figure {
        // One withheld cell says why, as in the release.
        if a.cells == 1, a.suppressed == 1 {
            return Figure(value: nil, moe95: nil, status: a.status == "bounded" ? "suppressed" : a.status, lower: a.lower, upper: a.upper)
        }
        return Figure(
            value: a.value, moe95: a.moe95, status: a.value != nil ? "published" : (a.status == "unavailable" ? "unavailable" : "bounded"),
            lower: a.lower, upper: a.upper)
    }
}
