import Foundation
import MosaicCodebook
import MosaicDisclosure
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

    /// Low reliability, as statistics offices flag it: a 95 % margin of 40 % of the value or
    /// more (a coefficient of variation of about 20 % or more); every zero with a margin.
    public static func isUnreliable(value: Int, moe95: Double?) -> Bool {
        guard let m = moe95, m > 0 else { return false }
        return m >= 0.4 * Double(max(value, 0))
    }

    /// Narrows a withheld figure's range to a reader's derived interval (rounded inwards to
    /// whole numbers; never widened; an open upper end stays open only when both are open).
    public mutating func narrow(to d: DerivedInterval) {
        guard value == nil else { return }
        // Nothing learnt (0 or more): keep what the status says.
        if d.lower <= 0, !d.upper.isFinite { return }
        if let lo = d.wholeLower { lower = max(lower ?? 0, lo) }
        if let hi = d.wholeUpper { upper = upper.map { min($0, hi) } ?? hi }
        if let lo = lower, let hi = upper, hi < lo { upper = lo }
    }

    /// The range of rates per 10,000 `pupils` this withheld figure's range gives (nil without a
    /// range or pupils).
    /// `relative`: how far the pupils may be off (the reporting band), which widens the range.
    public func rateRange(pupils: Double?, relative: Double = 0) -> (lower: Double, upper: Double?)? {
        guard value == nil, let pupils, pupils > 0, let lo = lower else { return nil }
        let r = min(max(relative, 0), 0.99)
        return (Double(lo) / pupils * 10_000 * (1 - r), upper.map { Double($0) / pupils * 10_000 * (1 + r) })
    }

    /// The figure of a query answer (a range when withheld cells are inside).
    public static func from(_ a: QueryAnswer) -> Figure {
        // One withheld cell says why, as in the release.
        if a.cells == 1, a.suppressed == 1 {
            // With the noise's margin from the public parameters, as for a range.
            return Figure(
                value: nil, moe95: a.moe95, status: a.status == "bounded" ? "suppressed" : a.status, lower: a.lower, upper: a.upper)
        }
        return Figure(
            value: a.value, moe95: a.moe95, status: a.value != nil ? "published" : (a.status == "unavailable" ? "unavailable" : "bounded"),
            lower: a.lower, upper: a.upper)
    }
}
