import MosaicCodebook
import MosaicErrorModel
import MosaicPrivacy
import MosaicRegistry

/// What is measured, with how much noise, and what is published: the public parameters of a
/// release. Everything here may be printed and stored in the release file.
///
/// The budget ρ is split over measurement groups, one per (table, level), plus one per level for
/// the total number of affected persons: group g gets ρ·(w_table/W)·(v_level/V) from integer
/// weights. A group's noise is discrete Gaussian with σ² = Δ²/(2ρ_g), an exact rational, so the
/// groups' ρ add up to exactly the requested ρ.
///
/// Sensitivity (one affected person in one incident at one school): in each single-valued table
/// one cell changes by 1 at each level (Δ² = 1); in a multi-valued table (responses) up to every
/// cell changes by 1 (Δ² = number of cells); the total changes by 1 (Δ² = 1).
public struct ReleasePlan: Sendable, Equatable {
    /// ρ (zero-concentrated differential privacy).
    public var rho: Rho
    /// Weights of the tables (by name) and of `total`.
    public var tableWeights: [String: UInt64]
    /// Weights of the levels.
    public var levelWeights: [Level: UInt64]
    /// Published values from 1 to k−1 are suppressed.
    public var k: Int
    /// Units with fewer than m registered schools are not published on their own.
    public var minimumSchools: Int
    /// A withheld small area's value stays uncertain to a reader by at least max(k, this
    /// percentage of the value) either way (complementary suppression).
    public var smallAreaPercent: Int = 20
    /// The registry attributes the release breaks the country and regions down by (`stage`,
    /// `sector`); empty for none.
    public var domainDimensions: [String] = []
    /// The tables broken down by ``domainDimensions``: `total`, and at most one table that counts
    /// each person once (see ``Domains``).
    public var domainTables: [String] = []
    /// The weight of each dimension's groups against ``geographyWeight``.
    public var domainWeights: [String: UInt64] = [:]
    /// The weight of the geographic groups against the domain dimensions' (only read when the
    /// plan has domains: without them the geographic groups share all of ρ).
    public var geographyWeight: UInt64 = 1

    /// Default domain settings: `stage` and `sector`, for the total of affected persons (at the
    /// country and the regions) and for `incidents` (at the country only), each dimension with
    /// weight 1 against the geography's 6: the domain groups get 2·(2·2 + 3·1) = 14 shares against
    /// the geography's 6·10·4 = 240, 5.5 % of ρ (the geography's margins grow by 2.9 %; see
    /// Analysis/privacy-evaluation.sh).
    public mutating func addDefaultDomains(codebook: Codebook) {
        domainDimensions = RegistryDimension.all.map(\.name)
        domainTables = ReleasePlan.defaultDomainTables(codebook: codebook)
        domainWeights = Dictionary(uniqueKeysWithValues: RegistryDimension.all.map { ($0.name, UInt64(1)) })
        geographyWeight = 6
    }

    /// The tables broken down by default: the total and the codebook's tables marked so
    /// (``CodebookTable/brokenDown``; `incidents` in version 1).
    public static func defaultDomainTables(codebook: Codebook) -> [String] {
        [ReleasePlan.totalName] + codebook.tables.filter(\.brokenDown).map(\.name)
    }

    /// Whether the plan breaks units down by stage or sector.
    public var hasDomains: Bool { !domainDimensions.isEmpty && !domainTables.isEmpty }

    /// A plan with explicit weights (each from 1 to 100).
    public init(rho: Rho, tableWeights: [String: UInt64], levelWeights: [Level: UInt64], k: Int, minimumSchools: Int) {
        self.rho = rho
        self.tableWeights = tableWeights
        self.levelWeights = levelWeights
        self.k = k
        self.minimumSchools = minimumSchools
    }

    /// The name used for the total-persons measurement.
    public static let totalName = ErrorModel.totalName

    /// Default weights, chosen from the utility evaluation (Analysis/privacy-evaluation.sh).
    public static func defaults(codebook: Codebook, rho: Rho) -> ReleasePlan {
        var weights: [String: UInt64] = [:]
        for t in codebook.tables { weights[t.name] = t.multiValued ? 2 : 1 }
        weights[codebook.tables[0].name] = 3
        weights[totalName] = 2
        return ReleasePlan(
            rho: rho, tableWeights: weights, levelWeights: [.country: 1, .region: 1, .province: 2],
            k: 5, minimumSchools: 5)
    }

    /// One measurement group: a table (or the total) at a level, or its breakdown by a domain
    /// dimension at that level.
    public struct Group: Sendable, Equatable {
        /// The codebook table.
        public var table: String
        /// The domain dimension (`stage`, `sector`) of a breakdown group; nil for the geography.
        public var dimension: String? = nil
        /// The level: country, region or province.
        public var level: Level
        /// Squared L2 sensitivity.
        public var sensitivitySquared: UInt64
        /// σ² = sigma2Num / sigma2Den.
        public var sigma2Num: UInt64
        /// The denominator of σ², exactly.
        public var sigma2Den: UInt64
        /// ρ (zero-concentrated differential privacy).
        public var rho: Rho
        /// σ² as a floating-point number (for margins, never for sampling).
        public var sigma2: Double { Double(sigma2Num) / Double(sigma2Den) }

        /// Makes the value from its parts.
        public init(table: String, level: Level, sensitivitySquared: UInt64, sigma2Num: UInt64, sigma2Den: UInt64, rho: Rho) {
            self.table = table
            self.level = level
            self.sensitivitySquared = sensitivitySquared
            self.sigma2Num = sigma2Num
            self.sigma2Den = sigma2Den
            self.rho = rho
        }
    }

    /// The measurement groups with their exact noise and ρ: every (table, level) of the
    /// geography, then, with domains, every (domain table, dimension, level) at the levels the
    /// table is broken down at (``Domains/levels(ofTable:)``: the total at the country and the
    /// regions, a codebook table at the country only).
    ///
    /// Shares: a geographic group gets G·w_t·v_l and a domain group u_d·w_t·v_l out of
    /// S = G·W·V + Σ_d u_d·Σ_{t broken} w_t·V_t (V_t the weights of the levels table t is broken
    /// down at), so ρ_g = ρ·share/S and the groups add up to ρ (up to rounding
    /// each up to a nano-ρ). Without domains, S = W·V and G = 1: the plan of a release without
    /// domains is unchanged.
    ///
    /// Sensitivity of a domain group: one person at one school in one quarter is in exactly one
    /// part of each dimension per unit, so a single-valued table's breakdown changes one cell by 1
    /// at each level (Δ² = 1), like the table itself.
    ///
    /// - Precondition: ρ > 0 and every weight positive.
    public func groups(codebook: Codebook) -> [Group] {
        precondition(rho.nano > 0)
        let tables: [(String, UInt64)] =
            codebook.tables.map { ($0.name, $0.multiValued ? UInt64($0.cells.count) : 1) } + [(ReleasePlan.totalName, 1)]
        let w: UInt64 = tables.reduce(0) { $0 + tableWeights[$1.0]! }
        let v: UInt64 = Level.allCases.reduce(0) { $0 + levelWeights[$1]! }
        let broken = hasDomains ? tables.filter { self.domainTables.contains($0.0) } : []
        let g0: UInt64 = broken.isEmpty ? 1 : geographyWeight
        // Σ over the broken tables of w_t·(the level weights of the levels it is broken down at).
        let wvd: UInt64 = broken.reduce(0) { sum, t in
            sum + tableWeights[t.0]! * Domains.levels(ofTable: t.0).reduce(0) { $0 + levelWeights[$1]! }
        }
        let s: UInt64 =
            g0 * w * v + (broken.isEmpty ? 0 : domainDimensions.reduce(0) { $0 + domainWeights[$1, default: 1] * wvd })
        func group(_ table: String, _ d2: UInt64, _ level: Level, _ weight: UInt64, _ dimension: String?) -> Group {
            // σ² = Δ²·S·10⁹ / (2·weight·w·v·nano), reduced.
            var num = d2 * s * Rho.scale
            var den = 2 * weight * tableWeights[table]! * levelWeights[level]! * rho.nano
            let g = gcd(num, den)
            num /= g
            den /= g
            var out = Group(
                table: table, level: level, sensitivitySquared: d2, sigma2Num: num, sigma2Den: den,
                rho: Accounting.gaussianRho(sensitivitySquared: d2, sigma2Num: num, sigma2Den: den))
            out.dimension = dimension
            return out
        }
        var out: [Group] = []
        for (table, d2) in tables {
            for level in Level.allCases { out.append(group(table, d2, level, g0, nil)) }
        }
        for dimension in broken.isEmpty ? [] : domainDimensions {
            for (table, d2) in broken {
                for level in Domains.levels(ofTable: table) {
                    out.append(group(table, d2, level, domainWeights[dimension, default: 1], dimension))
                }
            }
        }
        return out
    }

    /// The total ρ of the groups, exactly: group g's ρ is Δ²_g/(2σ²_g) = ρ·share_g/S with the
    /// exact rational σ² of ``groups(codebook:)``, and the shares add up to S, so the sum is ρ
    /// itself. (Each group's ``Group/rho`` is rounded up to a nano-ρ for display; adding those
    /// would overstate the total by up to a nano-ρ per group.) Checked exactly here with 128-bit
    /// arithmetic; if the check ever failed the rounded-up sum would be charged instead.
    public func spent(codebook: Codebook) -> Rho {
        let groups = groups(codebook: codebook)
        // Σ Δ²·den/(2·num) == nano/10⁹  ⇔  Σ over groups of the fractions equals it; each term is
        // share·nano/(S·10⁹), so check Δ²·den·S·10⁹ == 2·num·share·nano group by group via the
        // common form: the term times 2·num equals Δ²·den.
        var exact = true
        var sum = (numerator: UInt64(0), denominator: UInt64(1))
        for g in groups {
            // term = Δ²·den / (2·num), added as a fraction with overflow checks.
            let (n1, o1) = g.sensitivitySquared.multipliedReportingOverflow(by: g.sigma2Den)
            let (d1, o2) = g.sigma2Num.multipliedReportingOverflow(by: 2)
            guard !o1, !o2 else {
                exact = false
                break
            }
            let l = lcm(sum.denominator, d1)
            guard let l, let a = mul(sum.numerator, l / sum.denominator), let b = mul(n1, l / d1), a <= UInt64.max - b else {
                exact = false
                break
            }
            let g0 = gcd(a + b, l)
            sum = ((a + b) / g0, l / g0)
        }
        if exact, let scaled = mul(sum.numerator, Rho.scale), scaled % sum.denominator == 0, scaled / sum.denominator == rho.nano {
            return rho
        }
        return groups.reduce(.zero) { $0 + $1.rho }
    }

    private func mul(_ a: UInt64, _ b: UInt64) -> UInt64? {
        let (p, o) = a.multipliedReportingOverflow(by: b)
        return o ? nil : p
    }

    private func lcm(_ a: UInt64, _ b: UInt64) -> UInt64? {
        let g = gcd(a, b)
        return mul(a / g, b)
    }
}

func gcd(_ a: UInt64, _ b: UInt64) -> UInt64 {
    var (a, b) = (a, b)
    while b != 0 { (a, b) = (b, a % b) }
    return a
}
