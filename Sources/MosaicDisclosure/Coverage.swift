import MosaicErrorModel

/// How a unit's reporting coverage is published.
public enum CoverageStatus: String, Sendable, Hashable, Codable, CaseIterable {
    /// Every registered school reported (100 %).
    case complete
    /// The share of registered schools that reported lies in a band of whole percentage
    /// points, `[low, high)`.
    case band
    /// Not published: the registry gives the unit too few schools for a band (decided before
    /// anything is known of who reported), or, when several schools missed, the reporting
    /// rule's audit found its band would let a reader prove that a school did not report.
    case withheld
}

/// A unit's coverage as a release shows it.
public struct PublishedCoverage: Sendable, Hashable, Codable {
    /// Complete, a band, or withheld.
    public var status: CoverageStatus
    /// Lower end of the share of registered schools that reported, in percent (nil when withheld).
    public var low: Int?
    /// Upper end, in percent: exclusive for a band, 100 when complete (nil when withheld).
    public var high: Int?

    /// A coverage value from its parts.
    public init(status: CoverageStatus, low: Int?, high: Int?) {
        self.status = status
        self.low = low
        self.high = high
    }

    /// Withheld coverage.
    public static let withheld = PublishedCoverage(status: .withheld, low: nil, high: nil)

    /// The share of pupils a rate divides by: 1 when complete, the band's midpoint, nil when
    /// withheld (use the nearest ancestor's).
    public var rateShare: Double? {
        switch status {
        case .complete: return 1
        case .band: return low.flatMap { l in high.map { h in Double(l + h) / 200 } }
        case .withheld: return nil
        }
    }

    /// The whole numbers of reporting schools this coverage allows, out of `registered`.
    public func reportingRange(registered n: Int) -> ClosedRange<Int> {
        switch status {
        case .complete: return n...n
        case .withheld: return 0...n
        case .band:
            guard let low, let high, n > 0 else { return 0...n }
            let lowest = (low * n + 99) / 100  // r/n ≥ low %
            let highest = min(n - 1, (high * n - 1) / 100)  // r/n < high %, and not all
            return min(lowest, highest)...highest
        }
    }
}
