import Foundation
import MosaicCodebook
import MosaicDisclosure
import MosaicErrorModel
import MosaicQuery
import MosaicReleaseFile

/// One quarter of one unit's series.
public struct Point: Sendable, Equatable, Codable {
    /// The quarter, `YYYY-Qn`.
    public var period: String
    /// Affected persons.
    public var persons: Figure
    /// Registered open schools.
    public var registeredSchools: Int
    /// Pupils of registered open schools.
    public var registeredEnrolment: Int
    /// The share of registered schools that reported, as the release publishes it.
    public var coverage: PublishedCoverage
    /// Affected persons per 10,000 pupils of the reporting schools (estimated as the registered
    /// pupils times the published reporting share, the nearest published one up the hierarchy
    /// when the unit's own is withheld), and its margin.
    public var rate: Double?
    /// The 95 % margin of the rate.
    public var rateMoe95: Double?
    /// The pupils the rate divides by (nil when no reporting share is published up the
    /// hierarchy): a withheld count's rate is shown as the range its count's range gives.
    public var ratePupils: Double?
    /// How far the pupils a rate divides by may be off, relative (half the reporting band's
    /// width over its midpoint; 0 when every school reported).
    public var shareUncertainty: Double?

    /// The range a withheld count's range gives its rate, widened by the reporting band (nil
    /// without a range or pupils).
    public var rateRange: (lower: Double, upper: Double?)? {
        guard rate == nil else { return nil }
        return persons.rateRange(pupils: ratePupils, relative: shareUncertainty ?? 0)
    }
}

/// A unit's quarterly series.
public struct Series: Sendable, Equatable, Codable {
    /// The code (stable; used in files and queries).
    public var code: String
    /// The name.
    public var name: String
    /// One point per quarter, oldest first.
    public var points: [Point]
}

/// A unit's last four quarters pooled: the sum of four quarterly releases (independent noise,
/// so the margin is the root of the summed squared margins), for small areas whose quarterly
/// figures are mostly withheld or within their margins.
public struct Pooled: Sendable, Equatable, Codable {
    /// The unit's code.
    public var code: String
    /// The unit's name.
    public var name: String
    /// The first and last quarter pooled.
    public var first: String
    /// The last quarter pooled.
    public var last: String
    /// Affected persons over the four quarters: a value, a range when withheld quarters are
    /// inside, or unavailable.
    public var persons: Figure
    /// Affected persons per 10,000 pupils over the four quarters (the pupils averaged).
    public var rate: Double?
    /// The rate's 95 % margin.
    public var rateMoe95: Double?
    /// The change against the four quarters before, in percent, when both are published.
    public var changePercent: Double?
    /// The change's 95 % margin, in percentage points.
    public var changePercentMoe95: Double?
    /// The pupils the four-quarter rate divides by (their mean over the quarters).
    public var ratePupils: Double?
    /// The reporting bands' relative uncertainty, averaged over the four quarters.
    public var shareUncertainty: Double?
    /// The four quarters before, summed from their quarterly releases (what the change is against).
    public var before: Figure?

    /// The range a pooled count's range gives its rate (nil when it has no range or no pupils).
    public var rateRange: (lower: Double, upper: Double?)? {
        rate == nil ? persons.rateRange(pupils: ratePupils, relative: shareUncertainty ?? 0) : nil
    }
}
