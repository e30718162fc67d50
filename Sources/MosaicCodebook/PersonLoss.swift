/// What one person loses over several releases, from public parameters only.
///
/// Each release is ρ-zCDP for one affected person in one incident in one quarter. A person who
/// moves a release's figures by more than one unit loses more, by group privacy: a release that
/// a person changes by `c` (c incidents counted in its quarters) costs c² × its ρ. A quarterly
/// release is touched by the person's incidents of that quarter; a pooled release of n quarters
/// sums them, so one incident in each of its quarters moves its cells by n and costs n² × its ρ.
/// Releases compose by adding their losses (zCDP composition).
///
/// ```swift
/// // Four quarterly releases at ρ = 1 and one pooled release of the four at ρ = 1:
/// PersonLoss.rho([(q1, 1), (q2, 1), (q3, 1), (q4, 1), (year, 1)], incidentsPerQuarter: 1) // 4 + 16 = 20
/// ```
public enum PersonLoss {
    /// The total ρ for a person with `incidentsPerQuarter` incidents in each quarter of
    /// `quarters` (every quarter any release covers when nil): Σ over releases of
    /// (incidents counted in the release)² × its ρ.
    public static func rho(_ releases: [(span: PeriodSpan, rho: Double)], quarters: Set<Period>? = nil, incidentsPerQuarter: Int = 1)
        -> Double
    {
        releases.reduce(0) { sum, r in
            let touched = r.span.quarters.filter { quarters?.contains($0) ?? true }.count * max(0, incidentsPerQuarter)
            return sum + Double(touched * touched) * r.rho
        }
    }
}
