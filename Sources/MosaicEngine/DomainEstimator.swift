import MosaicCodebook
import MosaicDisclosure
import MosaicErrorModel

/// The breakdowns by stage and sector: true values, consistent estimates, whole numbers and
/// variances of the domain parts (see ``Domains``).
///
/// A region's part has the slots of ``TableRelations/regionDomainSlots`` (the total); a country's
/// part has every slot of ``TableRelations/domainSlots`` (the total and, when one is broken down,
/// the cells of a table that counts each person once). Arrays inside the estimator are indexed
/// by position in ``domainSlots`` for every part; a region's part leaves the country-only
/// positions unused, and the engine's outputs keep each part's own slots only.
///
/// Estimation, for each dimension (post-processing of the measurements, in linear steps):
/// 1. **Hierarchy within each value.** For each value (`secondary`) and regional slot, the
///    country's part and the regions' parts are a two-level tree: least squares (the same
///    estimator as the geography's) makes the regions' parts add up to the country's.
/// 2. **Partition of each region.** A region's parts are moved equally so that they add up to the
///    region's own (already consistent) estimate, slot by slot. The country's part of a value is
///    the sum of the regions' parts, so both relations hold.
/// 3. **The country's cells.** The country's parts × the cells of the table broken down at the
///    country only form a two-way table whose row sums must be the parts' totals (from step 2)
///    and whose column sums the country's own cells: the least-squares fit with equal weights
///    (all these measurements share one noise scale) adds to each measurement its row's and its
///    column's missing amount, each spread equally, less the double-counted grand difference.
///    The rows' and the columns' targets have the same sum (the country's total), so both hold.
///
/// Whole numbers: each region's whole total is split among its parts (a masked transportation
/// problem: rows the regions, columns the values, entries only where a part exists, the country's
/// part the column target), rounded by a max-flow so that every row sum is exact; the country's
/// parts are the column sums. The country's two-way table is rounded with both margins exact
/// (its parts' whole totals and the country's whole cells), so all relations hold in whole numbers.
///
/// Variances come from public parameters only: the linear map of steps 1–3 applied to unit
/// impulses (the domain noise), plus the units' own estimates' covariances from ``ErrorModel``
/// (a region's part carries 1/|parts| of its region's error; the country's part the sum over
/// regions; a country's cell its row's and column's shares, with their covariances).
extension ReleaseEngine {
    /// The slots a domain part has (see ``TableRelations/slots(ofPart:)``).
    public func domainSlots(ofPart p: Int) -> [Int] {
        geography.units[domains.parts[p].unit].level == .country ? domainSlots : regionDomainSlots
    }

    /// The slots a region's part has.
    public var regionDomainSlots: [Int] { TableRelations.domainSlots(codebook: codebook, domains: domains, level: .region) }

    /// True values of every domain part, for each of its slots (``domainSlots(ofPart:)``): the
    /// sum over the part's provinces of their counts for that value.
    public func domainTruth(_ truth: TrueCounts) -> [[Int]] {
        let zero = [Int](repeating: 0, count: codebook.allCells.count)
        let totalTable = codebook.rules.equalTotals.first ?? codebook.tables[0].name
        var perDimension: [String: [String: [[Int]]]] = [:]  // dimension → value → per unit
        for d in domains.dimensions {
            for value in d.values {
                var byProvince: [String: [Int]] = [:]
                for (province, values) in truth.byDomain[d.name] ?? [:] { byProvince[province] = values[value] ?? zero }
                perDimension[d.name, default: [:]][value] = geography.sumUp(byProvince, zero: zero) { a, b in zip(a, b).map { $0 + $1 } }
            }
        }
        return domains.parts.enumerated().map { p, part in
            let counts = perDimension[domains.dimensionName(part)]?[domains.valueCode(part)]?[part.unit] ?? zero
            return domainSlots(ofPart: p).map {
                $0 == TableRelations.totalSlot ? codebook.total(of: totalTable, in: counts) : counts[$0 - 1]
            }
        }
    }

    /// The noise variance of a domain slot's group at a level.
    func domainSigma2(slot: Int, dimension: String, level: Level) -> Double {
        let table = slot == TableRelations.totalSlot ? ReleasePlan.totalName : codebook.allCells[slot - 1].table
        return group(table, level, dimension: dimension).sigma2
    }

    /// The country's children (the regions) that break down.
    var regionIndices: [Int] { geography.units[0].children }

    /// The shape of one dimension's parts, looked up once: for each value its country part and
    /// its regions' parts, for each region its parts, the positions (in ``domainSlots``) at
    /// both levels and at the country only, and the noise of each slot's groups.
    struct DomainShape {
        var values: [(country: Int, pieces: [Int])] = []
        var regionParts: [(region: Int, parts: [Int])] = []
        /// Positions of the slots the regions' parts have.
        var shared: [Int] = []
        /// Positions of the slots only the country's parts have.
        var countryOnly: [Int] = []
        var countrySigma2: [Double] = []
        /// By position; only read at ``shared`` positions.
        var regionSigma2: [Double] = []
    }

    func domainShape(_ d: Int) -> DomainShape {
        var shape = DomainShape()
        let name = domains.dimensions[d].name
        for value in domains.dimensions[d].values.indices {
            guard let country = domains.part(unit: 0, dimension: d, value: value) else { continue }
            shape.values.append((country, regionIndices.compactMap { domains.part(unit: $0, dimension: d, value: value) }))
        }
        for r in regionIndices { shape.regionParts.append((r, domains.parts(unit: r, dimension: d))) }
        let regional = Set(regionDomainSlots)
        let slots = domainSlots
        shape.shared = slots.indices.filter { regional.contains(slots[$0]) }
        shape.countryOnly = slots.indices.filter { !regional.contains(slots[$0]) }
        shape.countrySigma2 = slots.map { domainSigma2(slot: $0, dimension: name, level: .country) }
        shape.regionSigma2 = slots.map { regional.contains($0) ? domainSigma2(slot: $0, dimension: name, level: .region) : .nan }
        return shape
    }

    /// Steps 1–3 for one dimension: domain measurements `y` (per part of the whole release, by
    /// position in ``domainSlots``; only this dimension's parts are read) and the units' own
    /// estimates `unit(u, slot)` give this dimension's parts' estimates, written into `x` (other
    /// parts untouched). Linear in `y` and `unit`.
    func domainReals(_ shape: DomainShape, y: [[Double]], unit: (Int, Int) -> Double, into x: inout [[Double]]) {
        let slots = domainSlots
        // 1. Two-level least squares per value and regional slot.
        for (country, pieces) in shape.values where !pieces.isEmpty {
            let n = Double(pieces.count)
            for q in shape.shared {
                let a = shape.countrySigma2[q]
                let b = shape.regionSigma2[q]
                var sum = 0.0
                for p in pieces { sum += y[p][q] }
                let z = (y[country][q] / a + sum / (n * b)) / (1 / a + 1 / (n * b))
                for p in pieces { x[p][q] = y[p][q] + (z - sum) / n }
            }
        }
        // 2. Each region's parts add up to the region; the country's parts are the sums.
        for (r, parts) in shape.regionParts where !parts.isEmpty {
            for q in shape.shared {
                var sum = 0.0
                for p in parts { sum += x[p][q] }
                let shift = (unit(r, slots[q]) - sum) / Double(parts.count)
                for p in parts { x[p][q] += shift }
            }
        }
        for (country, pieces) in shape.values {
            for q in shape.shared {
                var sum = 0.0
                for p in pieces { sum += x[p][q] }
                x[country][q] = sum
            }
        }
        // 3. The country's two-way table: rows the parts (their totals fixed), columns the
        //    country's cells.
        guard !shape.countryOnly.isEmpty, !shape.values.isEmpty else { return }
        let rows = shape.values.map(\.country)
        let v = Double(rows.count)
        let j = Double(shape.countryOnly.count)
        var rowGap = [Double](repeating: 0, count: rows.count)
        var columnGap = [Double](repeating: 0, count: shape.countryOnly.count)
        for (i, p) in rows.enumerated() {
            var sum = 0.0
            for q in shape.countryOnly { sum += y[p][q] }
            rowGap[i] = x[p][0] - sum
        }
        for (k, q) in shape.countryOnly.enumerated() {
            var sum = 0.0
            for p in rows { sum += y[p][q] }
            columnGap[k] = unit(0, slots[q]) - sum
        }
        let grand = columnGap.reduce(0, +)
        for (i, p) in rows.enumerated() {
            for (k, q) in shape.countryOnly.enumerated() {
                x[p][q] = y[p][q] + rowGap[i] / j + columnGap[k] / v - grand / (v * j)
            }
        }
    }

    /// Estimates, whole numbers and variances of every domain part (each part's own slots), into `e`.
    func estimateDomains(_ measured: [[Int64]], into e: inout Estimates) {
        let slots = domainSlots
        let parts = domains.parts
        let positions = parts.indices.map { p in domainSlots(ofPart: p).compactMap { slots.firstIndex(of: $0) } }
        var y = [[Double]](repeating: [Double](repeating: 0, count: slots.count), count: parts.count)
        for p in parts.indices { for (k, q) in positions[p].enumerated() where k < measured[p].count { y[p][q] = Double(measured[p][k]) } }
        let units = e
        func unitValue(_ u: Int, _ slot: Int) -> Double {
            slot == TableRelations.totalSlot ? units.totals[u] : units.cells[u][slot - 1]
        }
        var reals = [[Double]](repeating: [Double](repeating: 0, count: slots.count), count: parts.count)
        var ints = [[Int]](repeating: [Int](repeating: 0, count: slots.count), count: parts.count)
        let regions = regionIndices
        for d in domains.dimensions.indices {
            let shape = domainShape(d)
            domainReals(shape, y: y, unit: unitValue, into: &reals)
            // Whole numbers: split each region's whole total among its parts.
            let values = domains.dimensions[d].values.indices
            let mask = regions.map { r in values.map { domains.part(unit: r, dimension: d, value: $0) } }
            for q in shape.shared {
                let countryReal = values.map { v in domains.part(unit: 0, dimension: d, value: v).map { reals[$0][q] } }
                let present = countryReal.indices.filter { countryReal[$0] != nil }
                let countryWhole = q == 0 ? e.integerTotals[0] : e.integerCells[0][slots[q] - 1]
                let projected = Integerize.project(present.map { countryReal[$0] ?? 0 }, total: Double(countryWhole))
                var targets = [Double](repeating: 0, count: values.count)
                for (k, v) in present.enumerated() { targets[v] = projected[k] }
                let a = mask.map { row in row.map { $0.map { reals[$0][q] } ?? 0 } }
                let rowSums = regions.map { q == 0 ? e.integerTotals[$0] : e.integerCells[$0][slots[q] - 1] }
                let m = Integerize.partition(a, allowed: mask.map { $0.map { $0 != nil } }, rowSums: rowSums, columnTargets: targets)
                for (i, row) in mask.enumerated() { for (v, p) in row.enumerated() { if let p { ints[p][q] = m[i][v] } } }
                for (country, pieces) in shape.values { ints[country][q] = pieces.reduce(0) { $0 + ints[$1][q] } }
            }
            // The country's two-way table, with both margins exact.
            if !shape.countryOnly.isEmpty && !shape.values.isEmpty {
                let rows = shape.values.map(\.country)
                let m = Integerize.matrix(
                    rows.map { p in shape.countryOnly.map { reals[p][$0] } },
                    rowSums: rows.map { ints[$0][0] },
                    columnSums: shape.countryOnly.map { e.integerCells[0][slots[$0] - 1] })
                for (i, p) in rows.enumerated() { for (k, q) in shape.countryOnly.enumerated() { ints[p][q] = m[i][k] } }
            }
        }
        let variances = domainVarianceTable
        e.domainCells = parts.indices.map { p in positions[p].map { reals[p][$0] } }
        e.domainIntegers = parts.indices.map { p in positions[p].map { ints[p][$0] } }
        e.domainVariances = variances
    }

    /// The covariance of two units' own estimates, each given as (unit, slot): totals, cells of
    /// one table, or a total and a cell of a table that counts each person once (the cell
    /// carries 1/n of its unit's total's covariance: the cells move equally to add up to it).
    func unitCovariance(_ a: (unit: Int, slot: Int), _ b: (unit: Int, slot: Int)) -> Double {
        switch (a.slot == TableRelations.totalSlot, b.slot == TableRelations.totalSlot) {
        case (true, true):
            return errorModel.totalCovariance(a.unit, b.unit)
        case (false, false):
            let ca = codebook.allCells[a.slot - 1]
            let cb = codebook.allCells[b.slot - 1]
            guard ca.table == cb.table else { return 0 }
            return errorModel.covariance(table: ca.table, unitA: a.unit, cellA: ca.index, unitB: b.unit, cellB: cb.index)
        default:
            let cell = codebook.allCells[(a.slot == TableRelations.totalSlot ? b.slot : a.slot) - 1]
            guard errorModel.linked.contains(cell.table), let n = codebook.table(cell.table)?.cells.count else { return 0 }
            return errorModel.totalCovariance(a.unit, b.unit) / Double(n)
        }
    }

    /// The variance of every domain part's estimate, for each of its slots, from public
    /// parameters: the domain noise through steps 1–3 (by unit impulses), plus the units' own
    /// estimates' error carried into each part.
    public func domainVariances() -> [[Double]] {
        let (noise, units) = domainVarianceParts()
        return zip(noise, units).map { zip($0, $1).map { $0 + $1 } }
    }

    /// ``domainVariances()`` in its two parts, per part and slot: from the domain measurements'
    /// noise, and from the units' own estimates (the geography's noise). They scale differently
    /// when the budget moves between the geography and the breakdowns (``PlanOptimizer``).
    public func domainVarianceParts() -> (noise: [[Double]], units: [[Double]]) {
        let slots = domainSlots
        let parts = domains.parts
        var out = [[Double]](repeating: [Double](repeating: 0, count: slots.count), count: parts.count)
        guard !parts.isEmpty else { return ([], []) }
        let positions = parts.indices.map { p in domainSlots(ofPart: p).compactMap { slots.firstIndex(of: $0) } }
        var y = [[Double]](repeating: [Double](repeating: 0, count: slots.count), count: parts.count)
        var x = y
        for d in domains.dimensions.indices {
            let shape = domainShape(d)
            let members = parts.indices.filter { parts[$0].dimension == d }
            for p in members {
                let atCountry = parts[p].unit == 0
                for q in positions[p] {
                    y[p][q] = 1
                    domainReals(shape, y: y, unit: { _, _ in 0 }, into: &x)
                    y[p][q] = 0
                    let s2 = atCountry ? shape.countrySigma2[q] : shape.regionSigma2[q]
                    for o in members {
                        for k in positions[o] {
                            let c = x[o][k]
                            out[o][k] += c * c * s2
                        }
                    }
                }
            }
        }
        let noise = parts.indices.map { p in positions[p].map { out[p][$0] } }
        out = [[Double]](repeating: [Double](repeating: 0, count: slots.count), count: parts.count)
        // The units' own errors: each part's estimate is linear in them; its terms, then their
        // covariance.
        let regions = regionIndices
        func variance(_ terms: [(unit: Int, slot: Int, weight: Double)]) -> Double {
            var v = 0.0
            for a in terms { for b in terms { v += a.weight * b.weight * unitCovariance((a.unit, a.slot), (b.unit, b.slot)) } }
            return v
        }
        for (p, part) in parts.enumerated() {
            let sharesOf = { (slot: Int) -> [(unit: Int, slot: Int, weight: Double)] in
                if part.unit != 0 {
                    return [(part.unit, slot, 1 / Double(self.domains.parts(unit: part.unit, dimension: part.dimension).count))]
                }
                return regions.compactMap { r in
                    self.domains.part(unit: r, dimension: part.dimension, value: part.value).map { _ in
                        (r, slot, 1 / Double(self.domains.parts(unit: r, dimension: part.dimension).count))
                    }
                }
            }
            let regional = Set(regionDomainSlots)
            for q in positions[p] {
                let slot = slots[q]
                if regional.contains(slot) {
                    out[p][q] += variance(sharesOf(slot))
                } else {
                    // A country's cell: (its part's total)/J + (the country's cell)/V − (the country's total)/(V·J).
                    let v = Double(domains.parts(unit: 0, dimension: part.dimension).count)
                    let j = Double(slots.count - regional.count)
                    let row = sharesOf(TableRelations.totalSlot).map { ($0.unit, $0.slot, $0.weight / j) }
                    out[p][q] += variance(row + [(0, slot, 1 / v), (0, TableRelations.totalSlot, -1 / (v * j))])
                }
            }
        }
        return (noise, parts.indices.map { p in positions[p].map { out[p][$0] } })
    }
}

extension Integerize {
    /// A non-negative whole matrix with exact row sums, zero where not `allowed`, near `a` and
    /// with column sums near `columnTargets`: alternating projections (Dykstra) onto the rows'
    /// and the columns' sums over the allowed entries, ending on the rows; then floors, and the
    /// missing units placed by a max-flow over the entries' fractional parts (at most one more
    /// per entry, at most the ceiling of each column's fractional total), so each entry is the
    /// floor or the ceiling of its real value whenever the flow saturates; anything left goes to
    /// the row's largest fractional part.
    ///
    /// - Precondition: every row with a positive sum has an allowed entry.
    static func partition(_ a: [[Double]], allowed: [[Bool]], rowSums: [Int], columnTargets: [Double]) -> [[Int]] {
        let rows = a.count
        guard rows > 0 else { return [] }
        let cols = a[0].count
        var x = (0..<rows).map { i in (0..<cols).map { j in allowed[i][j] ? a[i][j] : 0 } }
        var p = [[Double]](repeating: [Double](repeating: 0, count: cols), count: rows)
        var q = p
        func projectRow(_ i: Int) {
            let idx = (0..<cols).filter { allowed[i][$0] }
            let shifted = idx.map { x[i][$0] + p[i][$0] }
            let projected = project(shifted, total: Double(rowSums[i]))
            for (k, j) in idx.enumerated() {
                p[i][j] = shifted[k] - projected[k]
                x[i][j] = projected[k]
            }
        }
        for _ in 0..<200 {
            for i in 0..<rows { projectRow(i) }
            var maxError = 0.0
            for j in 0..<cols {
                let idx = (0..<rows).filter { allowed[$0][j] }
                guard !idx.isEmpty else { continue }
                let shifted = idx.map { x[$0][j] + q[$0][j] }
                let projected = project(shifted, total: max(0, columnTargets[j]))
                for (k, i) in idx.enumerated() {
                    q[i][j] = shifted[k] - projected[k]
                    maxError = max(maxError, abs(projected[k] - x[i][j]))
                    x[i][j] = projected[k]
                }
            }
            if maxError < 1e-9 { break }
        }
        for i in 0..<rows { projectRow(i) }
        var b = x.map { $0.map { max(0, Int($0.rounded(.down))) } }
        for i in 0..<rows {
            // Floors never exceed the row's sum; guard against floating point anyway.
            while b[i].reduce(0, +) > rowSums[i], let j = (0..<cols).filter({ b[i][$0] > 0 }).max(by: { b[i][$0] < b[i][$1] }) {
                b[i][j] -= 1
            }
        }
        var rowNeed = (0..<rows).map { rowSums[$0] - b[$0].reduce(0, +) }
        let frac = (0..<rows).map { i in (0..<cols).map { j in allowed[i][j] ? max(0, x[i][j] - Double(b[i][j])) : 0 } }
        var colCap = (0..<cols).map { j in Int(((0..<rows).reduce(0.0) { $0 + frac[$1][j] } - 1e-9).rounded(.up)) }
        // Max-flow: source → row (need) → entry (1, if fractional) → column (cap) → sink.
        var used = [[Bool]](repeating: [Bool](repeating: false, count: cols), count: rows)
        func augment(_ i: Int, _ seenRows: inout Set<Int>, _ seenCols: inout Set<Int>) -> Bool {
            // DFS for an augmenting path from row i: to a column with spare capacity, possibly
            // through rows that give up a unit on another entry of the same column.
            seenRows.insert(i)
            for j in 0..<cols where frac[i][j] > 1e-9 && !used[i][j] && !seenCols.contains(j) {
                seenCols.insert(j)
                if colCap[j] > 0 {
                    colCap[j] -= 1
                    used[i][j] = true
                    return true
                }
                for k in 0..<rows where used[k][j] && !seenRows.contains(k) {
                    used[k][j] = false
                    if augment(k, &seenRows, &seenCols) {
                        used[i][j] = true
                        return true
                    }
                    used[k][j] = true
                }
            }
            return false
        }
        for i in 0..<rows {
            while rowNeed[i] > 0 {
                var seenRows = Set<Int>()
                var seenCols = Set<Int>()
                guard augment(i, &seenRows, &seenCols) else { break }
                rowNeed[i] -= 1
            }
        }
        for i in 0..<rows {
            for j in 0..<cols where used[i][j] { b[i][j] += 1 }
            // Whatever the flow could not place goes to the row's largest allowed fractional part.
            while rowNeed[i] > 0, let j = (0..<cols).filter({ allowed[i][$0] }).max(by: { frac[i][$0] < frac[i][$1] }) {
                b[i][j] += 1
                rowNeed[i] -= 1
            }
        }
        return b
    }
}
