import MosaicCodebook
import MosaicErrorModel
import MosaicSamplers

extension ReleaseEngine {
    /// Whether a unit's figures are withheld as a small area (``smallAreas``: too few schools
    /// registered or reporting; what the release's statuses show).
    public func isSmallArea(_ unit: Int) -> Bool {
        smallAreas.units.indices.contains(unit) && smallAreas.units[unit]
    }

    /// The value that stands in for a suppressed cell (1 to k−1) in the bootstrap world: ⌊k/2⌋.
    public var suppressedStandIn: Int { plan.k / 2 }

    /// A simulated country built from what the release publishes, and nothing else.
    ///
    /// Each province takes its published value; a value withheld by the k-threshold takes
    /// ``suppressedStandIn``, a complementary one k (the least it can be); a unit under the small-area rule shares equally (whole numbers)
    /// what its parent's value leaves after its published siblings, top-down. The hidden
    /// values never enter: the bootstrap, and the replicates it publishes, reveal nothing the
    /// cells do not already show.
    public func world(from published: [ReleasedValue]) -> TrueCounts {
        let units = geography.units
        let cellCount = codebook.allCells.count
        let cellIndex = Dictionary(uniqueKeysWithValues: codebook.allCells.map { ("\($0.table)|\($0.code)", $0.index) })
        var known = [[Int?]](repeating: [Int?](repeating: nil, count: cellCount), count: units.count)
        for v in published where v.table != ReleasePlan.totalName && v.part == nil {
            guard let j = cellIndex["\(v.table)|\(v.cell)"], !isSmallArea(v.unit) else { continue }
            known[v.unit][j] = v.value ?? (v.reason == .complementary ? plan.k : suppressedStandIn)
        }
        var amount = [[Int]](repeating: [Int](repeating: 0, count: cellCount), count: units.count)
        for j in 0..<cellCount { amount[0][j] = known[0][j] ?? suppressedStandIn }
        for p in units.indices where !units[p].children.isEmpty {
            let kids = units[p].children
            for j in 0..<cellCount {
                let unknown = kids.filter { known[$0][j] == nil }
                let rest = max(0, amount[p][j] - kids.reduce(0) { $0 + (known[$1][j] ?? 0) })
                for c in kids { amount[c][j] = known[c][j] ?? 0 }
                for (q, c) in unknown.enumerated() { amount[c][j] = rest / unknown.count + (q < rest % unknown.count ? 1 : 0) }
            }
        }
        var byProvince: [String: [Int]] = [:]
        for i in geography.leaves { byProvince[units[i].code] = amount[i] }
        return TrueCounts(byProvince: byProvince)
    }

    /// Bootstrap replicates of a release's errors, for margins of sums.
    ///
    /// The whole engine (noise, least squares, top-down whole numbers) runs `count` times with
    /// fresh noise on ``world(from:)``; each replicate holds, for every unit (in
    /// ``Geography/units`` order) the total then every cell (codebook order), the simulated
    /// release minus the simulated truth, clamped to 16 bits. The 95th percentile of a sum's
    /// absolute replicate error is a calibrated margin for that sum (Analysis: `privacy-eval sums`).
    ///
    /// Post-processing only: it sees the published values (never the values the k-threshold or
    /// the small-area rule hide, nor the true counts), public parameters and fresh randomness.
    public func replicateErrors<E: EntropySource>(published: [ReleasedValue], count: Int, entropy: E) -> [[Int16]] {
        let simulated = world(from: published)
        let truth = aggregate(simulated)
        let totalTable = codebook.rules.equalTotals.first ?? codebook.tables[0].name
        let trueTotals = truth.map { codebook.total(of: totalTable, in: $0) }
        let width = codebook.allCells.count + 1
        return (0..<count).map { _ in
            let r = estimateUnits(measure(simulated, entropy: entropy, includeDomains: false))
            var out = [Int16](repeating: 0, count: geography.units.count * width)
            for i in geography.units.indices {
                out[i * width] = Int16(clamping: r.integerTotals[i] - trueTotals[i])
                for j in 0..<codebook.allCells.count { out[i * width + 1 + j] = Int16(clamping: r.integerCells[i][j] - truth[i][j]) }
            }
            return out
        }
    }
}
