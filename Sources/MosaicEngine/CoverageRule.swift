import MosaicDisclosure
import MosaicErrorModel
import MosaicPrivacy
import MosaicSamplers

/// How a release says how many schools reported: from noisy counts, drawn once per quarter.
///
/// An exact statement ("complete", or a band of exact counts) is a deterministic function of
/// who reported, and beside other exact statements it can prove that one school did not (a
/// region not complete whose other schools are all shown complete). So the rule publishes no
/// exact statement at all:
///
/// - **Which units publish coverage is decided by the registry alone**: those of at least
///   ``minimumSchools`` open schools. Silence about a smaller unit says nothing.
/// - **Each such unit's count of reporting schools gets discrete Gaussian noise** of variance
///   ``sigma2`` (exact integer sampling from the OS's randomness, as for the counts). A school's
///   reporting moves at most three counts (its province, region and country) by one, so the
///   counts of a quarter, and so the coverage table, are ``rho``-zCDP for a school's reporting
///   (a different unit from the releases' persons, accounted apart): from the coverage, no
///   pattern of reporting can be proven, only made more or less likely. The rest of a release
///   is not covered by this: the small-area statuses are exact (governed by `SmallAreaRule`),
///   the statuses withheld to protect them depend on who reported, and the figures move by a reporting school's
///   own persons (protected at the persons' level).
/// - **Drawn once per quarter**, by its first release, and stored: every later release of the
///   quarter, and every pooled release covering it, publishes the same counts (no averaging of
///   fresh draws), and counts the same schools (the quarter's reporting is frozen then: a
///   school that reports later reaches none of its releases, so rates never mix two sets).
/// - **Published as a 95 % interval of the share** (`band`, whole percentage points, clamped to
///   0–100), which reports widen rate margins by.
public enum CoverageRule {
    /// Units with fewer open schools publish no coverage.
    public static let minimumSchools = 20
    /// The noise variance, in schools².
    public static let sigma2: Int64 = 4
    /// The guarantee for a school's reporting, per quarter: Δ² / (2σ²) with Δ² = 3.
    public static let rho = Rho(nano: 3 * Rho.scale / (2 * UInt64(sigma2)))

    /// The noisy reporting count of every unit with at least ``minimumSchools`` registered (nil
    /// for the others), from registered and reporting schools per unit.
    public static func draw<E: EntropySource>(registered: [Int], reporting: [Int], entropy: E) -> [Int?] {
        let sampler = DiscreteGaussian(sigma2Num: UInt64(sigma2), sigma2Den: 1)
        return registered.indices.map { i in
            guard registered[i] >= minimumSchools else { return nil }
            let r = reporting.indices.contains(i) ? reporting[i] : 0
            return r + Int(sampler.sample(entropy))
        }
    }

    /// The published coverage of a unit of `registered` schools with a noisy reporting count
    /// (for a pooled release, both summed over its `quarters`, each with its own noise): the
    /// 95 % interval of the share, in whole points within 0–100.
    public static func published(registered n: Int, noisy: Int, quarters: Int = 1) -> PublishedCoverage {
        guard quarters >= 1, n >= minimumSchools * quarters else { return .withheld }
        // Post-processing of the noisy count: floating point is fine here.
        let half = 1.96 * Double(sigma2).squareRoot() * Double(quarters).squareRoot()
        let low = Int(min(99, max(0, (100 * (Double(noisy) - half) / Double(n)).rounded(.down))))
        let high = Int(min(100, max(Double(low + 1), (100 * (Double(noisy) + half) / Double(n)).rounded(.up))))
        return PublishedCoverage(status: .band, low: low, high: high)
    }
}
