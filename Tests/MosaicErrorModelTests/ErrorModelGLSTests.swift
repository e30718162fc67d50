import Foundation
import MosaicCodebook
import Testing

@testable import MosaicErrorModel

/// The error model against the textbook, independently of the engine: generalised least squares
/// with equality constraints, solved with dense matrices, for the whole codebook on a small
/// hierarchy. Parameters are every province's cells and total; each unit measures the sum of its
/// provinces' values for every cell and for the total, with variance σ²(table, level); the cells
/// of each table that shares the total must add up to it. The covariance of the constrained
/// estimates, Cov = M − M Cᵀ (C M Cᵀ)⁻¹ C M with M = (Aᵀ V⁻¹ A)⁻¹, must equal the model's closed form.
@Suite struct ErrorModelGLSTests {
    static let codebook = try! Codebook.bundled()

    /// Country ▸ 2 regions ▸ 3 provinces.
    static let geography: Geography = {
        var units = [GeoUnit(level: .country, code: "C", name: "C", parent: nil, children: [1, 2], schools: 9)]
        units.append(GeoUnit(level: .region, code: "R1", name: "R1", parent: 0, children: [3, 4], schools: 6))
        units.append(GeoUnit(level: .region, code: "R2", name: "R2", parent: 0, children: [5], schools: 3))
        units.append(GeoUnit(level: .province, code: "P1", name: "P1", parent: 1, children: [], schools: 3))
        units.append(GeoUnit(level: .province, code: "P2", name: "P2", parent: 1, children: [], schools: 3))
        units.append(GeoUnit(level: .province, code: "P3", name: "P3", parent: 2, children: [], schools: 3))
        return Geography(units: units)
    }()

    /// Inverse of a symmetric positive definite matrix, column by column.
    static func inverse(_ a: [[Double]]) -> [[Double]] {
        let n = a.count
        let l = TreeEstimatorGLSTests.cholesky(a)
        var columns: [[Double]] = []
        for j in 0..<n {
            var e = [Double](repeating: 0, count: n)
            e[j] = 1
            columns.append(TreeEstimatorGLSTests.solve(factor: l, e))
        }
        return (0..<n).map { i in (0..<n).map { j in columns[j][i] } }
    }

    static func multiply(_ a: [[Double]], _ b: [[Double]]) -> [[Double]] {
        let n = a.count
        let m = b[0].count
        let k = b.count
        var out = [[Double]](repeating: [Double](repeating: 0, count: m), count: n)
        for i in 0..<n { for l in 0..<k where a[i][l] != 0 { for j in 0..<m { out[i][j] += a[i][l] * b[l][j] } } }
        return out
    }

    static func transpose(_ a: [[Double]]) -> [[Double]] { (0..<a[0].count).map { j in a.map { $0[j] } } }

    @Test func theClosedFormEqualsConstrainedGLS() throws {
        let cb = Self.codebook
        let geo = Self.geography
        let provinces = geo.leaves
        let width = cb.allCells.count + 1  // every cell, then the total
        let p = provinces.count * width
        // Noise variances: per-level shape shared by every table (as the engine's plans have), a scale per table.
        let levelShape: [Level: Double] = [.country: 3, .region: 2, .province: 1.5]
        var tableScale: [String: Double] = [ErrorModel.totalName: 1]
        for (i, t) in cb.tables.enumerated() { tableScale[t.name] = 0.6 + 0.45 * Double(i) }
        var sigma2: [String: [Level: Double]] = [:]
        for (t, c) in tableScale { for (l, v) in levelShape { sigma2[t, default: [:]][l] = c * v } }
        let model = try ErrorModel(codebook: cb, geography: geo, sigma2: sigma2)

        // a(u, j): unit u's value of slot j (a cell index, or width − 1 for the total), as a combination of parameters.
        func leavesUnder(_ u: Int) -> [Int] {
            geo.units[u].children.isEmpty ? [u] : geo.units[u].children.flatMap { leavesUnder($0) }
        }
        func a(_ u: Int, _ j: Int) -> [Double] {
            var row = [Double](repeating: 0, count: p)
            for leaf in leavesUnder(u) { row[provinces.firstIndex(of: leaf)! * width + j] = 1 }
            return row
        }
        // M = (Aᵀ V⁻¹ A)⁻¹: every unit measures every slot once.
        var normal = [[Double]](repeating: [Double](repeating: 0, count: p), count: p)
        for u in geo.units.indices {
            for j in 0..<width {
                let table = j == width - 1 ? ErrorModel.totalName : cb.allCells[j].table
                let v = sigma2[table]![geo.units[u].level]!
                let row = a(u, j)
                let nz = row.indices.filter { row[$0] != 0 }
                for x in nz { for y in nz { normal[x][y] += 1 / v } }
            }
        }
        let m = Self.inverse(normal)
        // C β = 0: at every province, each linked table's cells minus the total.
        var c: [[Double]] = []
        for (k, _) in provinces.enumerated() {
            for name in cb.rules.equalTotals {
                var row = [Double](repeating: 0, count: p)
                for cell in cb.table(name)!.cells { row[k * width + cell.index] = 1 }
                row[k * width + width - 1] = -1
                c.append(row)
            }
        }
        let mct = Self.multiply(m, Self.transpose(c))
        let inner = Self.inverse(Self.multiply(c, mct))
        let correction = Self.multiply(Self.multiply(mct, inner), Self.transpose(mct))
        func cov(_ x: [Double], _ y: [Double]) -> Double {
            var s = 0.0
            for i in 0..<p where x[i] != 0 { for j in 0..<p where y[j] != 0 { s += x[i] * y[j] * (m[i][j] - correction[i][j]) } }
            return s
        }
        // Compare a spread of pairs: same and different cells, units at every level, every kind of table.
        let cells = cb.tables.flatMap { t in [t.cells.first!.index, t.cells.last!.index] }
        var compared = 0
        for ua in geo.units.indices {
            for ub in geo.units.indices {
                for ca in cells {
                    for cbIndex in cells where cb.allCells[cbIndex].table == cb.allCells[ca].table {
                        let table = cb.allCells[ca].table
                        let dense = cov(a(ua, ca), a(ub, cbIndex))
                        let closed = model.covariance(table: table, unitA: ua, cellA: ca, unitB: ub, cellB: cbIndex)
                        #expect(
                            abs(dense - closed) < 1e-9 * max(1, abs(dense)),
                            "\(table) (\(ua),\(ca)) (\(ub),\(cbIndex)): \(dense) vs \(closed)")
                        compared += 1
                    }
                }
                let dense = cov(a(ua, width - 1), a(ub, width - 1))
                #expect(abs(dense - model.totalCovariance(ua, ub)) < 1e-9 * max(1, abs(dense)), "total (\(ua), \(ub))")
            }
        }
        #expect(compared > 500)
    }

    /// The variance of a sum of cells (linear in the units) equals the sum of every pair's
    /// covariance, for sums within a table, across units and levels, with repeated cells.
    @Test func varianceOfASumIsTheSumOfItsCovariances() throws {
        let cb = Self.codebook
        let geo = Self.geography
        var sigma2: [String: [Level: Double]] = [:]
        for (i, t) in (cb.tables.map(\.name) + [ErrorModel.totalName]).enumerated() {
            sigma2[t] = [.country: 1.5 + Double(i), .region: 2 + Double(i), .province: 3 + Double(i)]
        }
        let model = try ErrorModel(codebook: cb, geography: geo, sigma2: sigma2)
        var g = TreeEstimatorGLSTests.Gen(state: 77)
        for table in cb.tables {
            for size in [1, 3, 12, 40] {
                let cells = (0..<size).map { _ in
                    (unit: g.int(0...(geo.units.count - 1)), cell: table.cells[g.int(0...(table.cells.count - 1))].index)
                }
                var pairwise = 0.0
                for a in cells {
                    for b in cells {
                        pairwise += model.covariance(table: table.name, unitA: a.unit, cellA: a.cell, unitB: b.unit, cellB: b.cell)
                    }
                }
                let fast = model.varianceOfSum(table: table.name, cells: cells)
                #expect(abs(fast - max(pairwise, 0)) < 1e-9 * max(1, pairwise), "\(table.name), \(size) cells")
            }
        }
        let units = [0, 1, 3, 3, 5, 2]
        var pairwise = 0.0
        for a in units { for b in units { pairwise += model.totalCovariance(a, b) } }
        #expect(abs(model.varianceOfTotalSum(units: units) - pairwise) < 1e-9 * max(1, pairwise))
    }
}
