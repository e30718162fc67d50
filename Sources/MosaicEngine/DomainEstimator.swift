import MosaicCodebook
import MosaicDisclosure
import MosaicErrorModel

/// The breakdowns by stage and sector: true values, consistent estimates, whole numbers and
/// variances of the domain parts (see ``Domains``).
///
/// Estimation, for each dimension (post-processing of the measurements, in three linear steps):
/// 1. **Hierarchy within each value.** For each value (`secondary`) and slot, the country's part
///    and the regions' parts are a two-level tree: least squares (the same estimator as the
///    geography's) makes the regions' parts add up to the country's.
/// 2. **Partition of each region.** A region's parts are moved equally so that they add up to the
///    region's own (already consistent) estimate, slot by slot. The country's part of a value is
///    the sum of the regions' parts, so both relations hold.
/// 3. **One total per part.** When a table that counts each person once is broken down, a
///    part's total becomes the inverse-variance combination of its own estimate and the sum of
///    the table's cells, and the cells move equally to add up to it (as the geography does).
///    Both sums over the parts stay equal to the region's, since the region's own cells add up
///    to its total.
///
/// Whole numbers: each region's whole value is split among its parts (a masked transportation
/// problem: rows the regions, columns the values, entries only where a part exists, the country's
/// part the column target), rounded by a max-flow so that every row sum is exact; the country's
/// parts are the column sums. With a table that counts each person once, its cells are split
/// this way and the part's total is the sum of its cells, so all three relations hold in whole
/// numbers.
///
/// Variances come from public parameters only: the linear map of step 1–3 applied to unit
/// impulses (the domain noise), plus the units' own estimates' covariances from ``ErrorModel``
/// (a region's part carries 1/|parts| of its region's error; the country's part the sum over
/// regions).
extension ReleaseEngine {
    /// True values of every domain part, slot by slot (``domainSlots``): the sum over the part's
    /// provinces of their counts for that value.
    public func domainTruth(_ truth: TrueCounts) -> [[Int]] {
        let slots = domainSlots
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
        return domains.parts.map { part in
            let counts = perDimension[domains.dimensionName(part)]?[domains.valueCode(part)]?[part.unit] ?? zero
            return slots.map { $0 == TableRelations.totalSlot ? codebook.total(of: totalTable, in: counts) : counts[$0 - 1] }
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
    /// its regions' parts, for each region its parts, and the noise of each slot's groups.
    struct DomainShape {
        var values: [(country: Int, pieces: [Int])] = []
        var regionParts: [(region: Int, parts: [Int])] = []
        var countrySigma2: [Double] = []
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
        shape.countrySigma2 = domainSlots.map { domainSigma2(slot: $0, dimension: name, level: .country) }
        shape.regionSigma2 = domainSlots.map { domainSigma2(slot: $0, dimension: name, level: .region) }
        return shape
    }

    /// Steps 1–3 for one dimension: domain measurements `y` (per part of the whole release, per
    /// slot; only this dimension's parts are read) and the units' own estimates `unit(u, slot)`
    /// give this dimension's parts' estimates, written into `x` (other parts untouched). Linear
    /// in `y` and `unit`.
    func domainReals(_ shape: DomainShape, y: [[Double]], unit: (Int, Int) -> Double, into x: inout [[Double]]) {
        let slots = domainSlots
        // 1. Two-level least squares per value and slot.
        for (country, pieces) in shape.values where !pieces.isEmpty {
            let n = Double(pieces.count)
            for q in slots.indices {
                let a = shape.countrySigma2[q]
                let b = shape.regionSigma2[q]
                var sum = 0.0
                for p in pieces { sum += y[p][q] }
                let z = (y[country][q] / a + sum / (n * b)) / (1 / a + 1 / (n * b))
                for p in pieces { x[p][q] = y[p][q] + (z - sum) / n }
            }
        }
        // 2. Each region's parts add up to the region.
        for (r, parts) in shape.regionParts where !parts.isEmpty {
            for (q, slot) in slots.enumerated() {
                var sum = 0.0
                for p in parts { sum += x[p][q] }
                let shift = (unit(r, slot) - sum) / Double(parts.count)
                for p in parts { x[p][q] += shift }
            }
        }
        // 3. A part's cells of a table that counts each person once add up to its total.
        if slots.count > 1 {
            let cells = Double(slots.count - 1)
            let vTotal = shape.regionSigma2[0]
            let vCell = shape.regionSigma2[1]
            let alpha = (1 / vTotal) / (1 / vTotal + 1 / (cells * vCell))
            for (_, parts) in shape.regionParts {
                for p in parts {
                    var cellSum = 0.0
                    for q in 1..<slots.count { cellSum += x[p][q] }
                    let total = alpha * x[p][0] + (1 - alpha) * cellSum
                    let shift = (total - cellSum) / cells
                    x[p][0] = total
                    for q in 1..<slots.count { x[p][q] += shift }
                }
            }
        }
        // The country's parts: the sum of the regions'.
        for (country, pieces) in shape.values {
            for q in slots.indices {
                var sum = 0.0
                for p in pieces { sum += x[p][q] }
                x[country][q] = sum
            }
        }
    }

    /// Estimates, whole numbers and variances of every domain part, into `e`.
    func estimateDomains(_ measured: [[Int64]], into e: inout Estimates) {
        let slots = domainSlots
        let parts = domains.parts
        let y = measured.map { $0.map(Double.init) }
        let units = e
        func unitValue(_ u: Int, _ slot: Int) -> Double {
            slot == TableRelations.totalSlot ? units.totals[u] : units.cells[u][slot - 1]
        }
        var reals = [[Double]](repeating: [Double](repeating: 0, count: slots.count), count: parts.count)
        var ints = [[Int]](repeating: [Int](repeating: 0, count: slots.count), count: parts.count)
        let variances = domainVarianceTable
        let regions = regionIndices
        for d in domains.dimensions.indices {
            domainReals(domainShape(d), y: y, unit: unitValue, into: &reals)
            // Whole numbers: split each region's whole value among its parts.
            let values = domains.dimensions[d].values.indices
            let mask = regions.map { r in values.map { domains.part(unit: r, dimension: d, value: $0) } }
            func split(_ q: Int, rowSums: [Int], countryTotal: Int) -> [[Int]] {
                let countryReal = values.map { v in domains.part(unit: 0, dimension: d, value: v).map { reals[$0][q] } }
                let present = countryReal.indices.filter { countryReal[$0] != nil }
                let projected = Integerize.project(present.map { countryReal[$0]! }, total: Double(countryTotal))
                var targets = [Double](repeating: 0, count: values.count)
                for (k, v) in present.enumerated() { targets[v] = projected[k] }
                let a = mask.map { row in row.map { $0.map { reals[$0][q] } ?? 0 } }
                return Integerize.partition(a, allowed: mask.map { $0.map { $0 != nil } }, rowSums: rowSums, columnTargets: targets)
            }
            if slots.count > 1 {
                for q in 1..<slots.count {
                    let j = slots[q] - 1
                    let m = split(q, rowSums: regions.map { e.integerCells[$0][j] }, countryTotal: e.integerCells[0][j])
                    for (i, row) in mask.enumerated() { for (v, p) in row.enumerated() { if let p { ints[p][q] = m[i][v] } } }
                }
                for (p, part) in parts.enumerated() where part.dimension == d && part.unit != 0 {
                    ints[p][0] = ints[p].dropFirst().reduce(0, +)
                }
            } else {
                let m = split(0, rowSums: regions.map { e.integerTotals[$0] }, countryTotal: e.integerTotals[0])
                for (i, row) in mask.enumerated() { for (v, p) in row.enumerated() { if let p { ints[p][0] = m[i][v] } } }
            }
            for v in values {
                guard let country = domains.part(unit: 0, dimension: d, value: v) else { continue }
                for q in slots.indices {
                    ints[country][q] = regions.compactMap { domains.part(unit: $0, dimension: d, value: v) }.reduce(0) { $0 + ints[$1][q] }
                }
            }
        }
        e.domainCells = reals
        e.domainIntegers = ints
        e.domainVariances = variances
    }

    /// The variance of every domain part's estimate, per slot, from public parameters: the
    /// domain noise through steps 1–3 (by unit impulses), plus the units' own estimates' error
    /// (1/|parts of the region| of it for a region's part; summed over the regions for the
    /// country's).
    public func domainVariances() -> [[Double]] {
        let slots = domainSlots
        let parts = domains.parts
        var out = [[Double]](repeating: [Double](repeating: 0, count: slots.count), count: parts.count)
        guard !parts.isEmpty else { return out }
        var y = [[Double]](repeating: [Double](repeating: 0, count: slots.count), count: parts.count)
        var x = y
        for d in domains.dimensions.indices {
            let shape = domainShape(d)
            let members = parts.indices.filter { parts[$0].dimension == d }
            for p in members {
                let atCountry = parts[p].unit == 0
                for q in slots.indices {
                    y[p][q] = 1
                    domainReals(shape, y: y, unit: { _, _ in 0 }, into: &x)
                    y[p][q] = 0
                    let s2 = atCountry ? shape.countrySigma2[q] : shape.regionSigma2[q]
                    for o in members {
                        for k in slots.indices {
                            let c = x[o][k]
                            out[o][k] += c * c * s2
                        }
                    }
                }
            }
        }
        // The units' own errors.
        func covariance(_ a: Int, _ b: Int, _ slot: Int) -> Double {
            if slot == TableRelations.totalSlot { return errorModel.totalCovariance(a, b) }
            let cell = codebook.allCells[slot - 1]
            return errorModel.covariance(table: cell.table, unitA: a, cellA: cell.index, unitB: b, cellB: cell.index)
        }
        let regions = regionIndices
        for (p, part) in parts.enumerated() {
            for (q, slot) in slots.enumerated() {
                if part.unit != 0 {
                    let n = Double(domains.parts(unit: part.unit, dimension: part.dimension).count)
                    out[p][q] += covariance(part.unit, part.unit, slot) / (n * n)
                } else {
                    let members = regions.filter { domains.part(unit: $0, dimension: part.dimension, value: part.value) != nil }
                    for a in members {
                        let na = Double(domains.parts(unit: a, dimension: part.dimension).count)
                        for b in members {
                            let nb = Double(domains.parts(unit: b, dimension: part.dimension).count)
                            out[p][q] += covariance(a, b, slot) / (na * nb)
                        }
                    }
                }
            }
        }
        return out
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
