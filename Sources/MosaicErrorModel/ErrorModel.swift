import MosaicCodebook

/// The covariance of a release's least-squares estimates, from public parameters only: the
/// hierarchy and the noise variance of each (table, level) group.
///
/// With Σ₀ the covariance of the tree estimator for unit noise (the same shape for every table,
/// since the per-level variances are proportional), c_τ the scale of table τ, n_τ its number of
/// cells, and W = Σ 1/(n_σ·c_σ) over the tables that share the total (and the total itself):
///
/// - cells of a table that shares the total: Cov(x_{u,c}, x_{v,c′}) = Σ₀[u,v]·(δ_{cc′}·c_τ + 1/(n_τ²W) − c_τ/n_τ);
/// - cells of another table (responses): Cov = Σ₀[u,v]·δ_{cc′}·c_τ;
/// - the total: Cov(T_u, T_v) = Σ₀[u,v]/W;
/// - different tables, or a table and the total, are uncorrelated except through the total;
///   queries sum within one table, so those terms are not needed.
///
/// Derivation in Analysis/PROOFS.md. Margins from this model describe the least-squares
/// estimates; the published whole numbers are at least as precise (see the evaluation).
public struct ErrorModel: Sendable {
    /// The codebook the counts follow.
    public let codebook: Codebook
    /// The tree estimator behind the covariances.
    public let tree: TreeEstimator
    /// c_τ by table name (and ``ErrorModel/totalName``, whose scale is 1).
    public let scale: [String: Double]
    /// The tables that share the total.
    public let linked: Set<String>
    /// W.
    public let w: Double

    /// The name of the total of affected persons among the tables (its cell is `persons`).
    public static let totalName = "total"

    /// The error model of a release.
    ///
    /// - Parameters:
    ///   - sigma2: the noise variance σ² of each (table, level) group; the total's is under ``totalName``.
    /// - Throws: ``ErrorModelError/missingGroup(table:level:)`` when a table or level has no σ² in `sigma2`.
    public init(codebook: Codebook, geography: Geography, sigma2 groups: [String: [Level: Double]]) throws {
        self.codebook = codebook
        func sigma2(_ t: String, _ l: Level) throws -> Double {
            guard let v = groups[t]?[l], v > 0, v.isFinite else { throw ErrorModelError.missingGroup(table: t, level: l) }
            return v
        }
        var base: [Level: Double] = [:]
        for l in Level.allCases { base[l] = try sigma2(ErrorModel.totalName, l) }
        tree = TreeEstimator(geography: geography, levelVariances: base)
        var scale: [String: Double] = [ErrorModel.totalName: 1]
        let country = try sigma2(ErrorModel.totalName, .country)
        for t in codebook.tables { scale[t.name] = try sigma2(t.name, .country) / country }
        self.scale = scale
        let linked = Set(codebook.rules.equalTotals)
        self.linked = linked
        var w = 1.0
        for t in codebook.tables where linked.contains(t.name) { w += 1 / (Double(t.cells.count) * (scale[t.name] ?? 1)) }
        self.w = w
    }

    /// Covariance of two cells of the same table (cell indices into ``Codebook/allCells``).
    public func covariance(table: String, unitA: Int, cellA: Int, unitB: Int, cellB: Int) -> Double {
        let s0 = tree.covariance(unitA, unitB)
        let c = scale[table] ?? 0
        let same = cellA == cellB ? 1.0 : 0.0
        guard linked.contains(table), let n = codebook.table(table)?.cells.count else { return s0 * same * c }
        let nt = Double(n)
        return s0 * (same * c + 1 / (nt * nt * w) - c / nt)
    }

    /// Variance of one cell's estimate.
    public func variance(table: String, unit: Int, cell: Int) -> Double {
        covariance(table: table, unitA: unit, cellA: cell, unitB: unit, cellB: cell)
    }

    /// Variance of the total's estimate at a unit, and covariance between two units' totals.
    public func totalCovariance(_ a: Int, _ b: Int) -> Double { tree.covariance(a, b) / w }

    /// Variance of a sum of cells of one table, each given as (unit, cell index).
    public func varianceOfSum(table: String, cells: [(unit: Int, cell: Int)]) -> Double {
        // Σ over pairs of Σ₀[u,v]·(δ_cc′·c + α) = c·Σ_cell q(m_cell) + α·q(m), with m_cell the
        // cell's multiplicity per unit, m their sum and q the tree's quadratic form: time linear
        // in the units per distinct cell, never in the square of the cells.
        let c = scale[table] ?? 0
        var perCell: [Int: [Int: Double]] = [:]
        var all: [Int: Double] = [:]
        for x in cells {
            perCell[x.cell, default: [:]][x.unit, default: 0] += 1
            all[x.unit, default: 0] += 1
        }
        var v = 0.0
        for m in perCell.values { v += c * tree.quadraticForm(m) }
        if linked.contains(table), let n = codebook.table(table)?.cells.count {
            let nt = Double(n)
            v += (1 / (nt * nt * w) - c / nt) * tree.quadraticForm(all)
        }
        return max(v, 0)
    }

    /// Variance of a sum of units' totals of affected persons (a unit listed twice counts twice).
    public func varianceOfTotalSum(units: [Int]) -> Double {
        var m: [Int: Double] = [:]
        for u in units { m[u, default: 0] += 1 }
        return max(tree.quadraticForm(m) / w, 0)
    }
}

/// Why an error model cannot be built.
public enum ErrorModelError: Error, Equatable, CustomStringConvertible {
    /// No noise variance for a table at a level.
    case missingGroup(table: String, level: Level)

    /// A readable form, for messages.
    public var description: String {
        switch self {
        case .missingGroup(let t, let l): return "no noise variance for \(t) at level \(l.rawValue)"
        }
    }
}

/// The 95 % margin of error: one formula for every tool.
public enum Margin {
    /// The 97.5th percentile of the standard normal distribution.
    public static let z95 = 1.959964

    /// The half-width of a 95 % interval for a variance, rounded up to one decimal.
    public static func of(variance: Double) -> Double {
        (z95 * max(variance, 0).squareRoot() * 10).rounded(.up) / 10
    }

    /// The standard error behind a stated 95 % margin.
    public static func standardError(_ margin: Double) -> Double { margin / z95 }
}
