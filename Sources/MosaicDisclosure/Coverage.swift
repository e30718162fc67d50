import MosaicErrorModel

/// How a unit's reporting coverage is published.
public enum CoverageStatus: String, Sendable, Hashable, Codable, CaseIterable {
    /// Every registered school reported (100 %).
    case complete
    /// The share of registered schools that reported lies in a band of whole percentage
    /// points, `[low, high)`.
    case band
    /// Not published: the unit is a small area, has too few schools for a band, or its band
    /// would let a reader prove that a school did not report.
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

/// The coverage rule: how many schools reported is published without letting a reader single
/// out a school that did not.
///
/// The pupils of reporting schools are never published (an enrolment gap can match exactly
/// one school of the public registry). Per unit, the release says "complete" when every
/// registered school reported; otherwise, for a unit with at least ``minimumSchoolsForBand``
/// registered schools that is not a small area, the share of its schools that reported in a
/// band of ``bandWidth`` percentage points (rounded down); otherwise nothing. Then an audit
/// solves a reader's linear program over the published bands and the hierarchy (a unit's
/// reporting schools are the sum of its children's): for every province, a reader must not be
/// able to prove that none of its schools reported (so that, schools being interchangeable to a
/// reader, no given school can be shown to have missed), and for every small area, that any of
/// its schools missed. Bands that break this are withheld, nearest first, until none does.
///
/// This assumes what the release states: whether a school reported is an administrative fact
/// (every school submits a full file, zeros included), not a consequence of its incidents.
public struct CoverageRule: Sendable {
    /// The hierarchy, with registered schools per unit.
    public let geography: Geography
    /// Units with fewer registered schools are small areas.
    public let minimumSchools: Int
    /// Width of a band, in percentage points.
    public var bandWidth = 5
    /// Units with fewer registered schools get no band (one school would move the share by more
    /// than a band).
    public var minimumSchoolsForBand = 20

    /// A rule over `geography` with the small-area threshold `minimumSchools`.
    public init(geography: Geography, minimumSchools: Int) {
        self.geography = geography
        self.minimumSchools = minimumSchools
    }

    /// The published coverage of every unit (in ``Geography/units`` order), from the registered
    /// and reporting schools per unit; audited.
    public func publish(registered: [Int], reporting: [Int]) throws -> [PublishedCoverage] {
        let units = geography.units
        var out: [PublishedCoverage] = units.indices.map { i in
            let n = registered[i]
            let r = min(max(reporting[i], 0), n)
            if units[i].isSmallArea(minimumSchools: minimumSchools) { return .withheld }
            if r == n { return PublishedCoverage(status: .complete, low: 100, high: 100) }
            guard n >= minimumSchoolsForBand, n > 0 else { return .withheld }
            let low = (100 * r / n) / bandWidth * bandWidth
            return PublishedCoverage(status: .band, low: low, high: min(100, low + bandWidth))
        }
        for _ in 0...units.count {
            let failing = try audit(registered: registered, published: out)
            guard let u = failing.first else { return out }
            guard let next = nearestPublished(to: u, in: out) else {
                throw SuppressionError.cannotProtect("the coverage of a \(units[u].level.rawValue)")
            }
            out[next] = .withheld
        }
        throw SuppressionError.cannotProtect("the coverage")
    }

    /// The published unit to withhold next for a failing unit `u`: itself, then its siblings
    /// (most schools first), then the same for its parent, up to the country's children, and the
    /// country last.
    func nearestPublished(to u: Int, in published: [PublishedCoverage]) -> Int? {
        let units = geography.units
        var current: Int? = u
        while let c = current {
            if published[c].status != .withheld, units[c].parent != nil { return c }
            if let p = units[c].parent {
                let siblings = units[p].children.filter { $0 != c && published[$0].status != .withheld }
                if let s = siblings.max(by: { (units[$0].schools, -$0) < (units[$1].schools, -$1) }) { return s }
            }
            current = units[c].parent
        }
        // Last, the country's own share.
        if let root = units.indices.first(where: { units[$0].parent == nil }), published[root].status != .withheld { return root }
        return nil
    }

    /// Units whose coverage a reader can narrow beyond the rule: provinces whose schools can all
    /// be proven not to have reported, and small areas where any school can be.
    public func audit(registered: [Int], published: [PublishedCoverage]) throws -> [Int] {
        let units = geography.units
        let lp = LinearProgram()
        lp.addColumns(
            units.indices.map { i in
                let r = published[i].reportingRange(registered: registered[i])
                return (Double(r.lowerBound), Double(r.upperBound))
            })
        var rows: [(terms: [(column: Int, coefficient: Double)], lower: Double, upper: Double)] = []
        for (p, u) in units.enumerated() where !u.children.isEmpty {
            rows.append(([(p, 1)] + u.children.map { ($0, -1.0) }, 0, 0))
        }
        lp.addRows(rows)
        var failing: [Int] = []
        for (i, u) in units.enumerated() {
            let small = u.isSmallArea(minimumSchools: minimumSchools)
            guard registered[i] > 0, small || u.children.isEmpty else { continue }
            let needed = small ? Double(registered[i]) : 1
            switch lp.optimize([(i, 1)], maximize: true) {
            case .optimal(let m): if m < needed - IntervalAudit.tolerance { failing.append(i) }
            case .unbounded: continue
            case .infeasible, .failed: throw SuppressionError.cannotProtect("the coverage (its audit found no solution)")
            }
        }
        return failing
    }
}
