import MosaicErrorModel

/// Non-negative whole numbers that keep fixed sums: the projections and roundings of the
/// top-down step.
enum Integerize {
    /// The point of {x : 0 ≤ xᵢ ≤ capᵢ, Σx = total} nearest to `a` (Euclidean), by bisection on
    /// the shift λ in xᵢ = clamp(aᵢ − λ, 0, capᵢ). Caps nil means no upper bound.
    static func project(_ a: [Double], total: Double, caps: [Double]? = nil) -> [Double] {
        if a.isEmpty { return [] }
        if caps == nil { return projectOnSimplex(a, total: total) }
        let upper = caps ?? [Double](repeating: .infinity, count: a.count)
        func x(_ l: Double) -> [Double] {
            a.indices.map { i in min(max(a[i] - l, 0), upper[i]) }
        }
        func sum(_ l: Double) -> Double {
            var s = 0.0
            for i in a.indices { s += min(max(a[i] - l, 0), upper[i]) }
            return s
        }
        var lo = (a.min() ?? 0) - total - 1
        var hi = (a.max() ?? 0) + 1
        if let caps {
            let capTotal = caps.reduce(0, +)
            if total >= capTotal { return caps }
            lo = min(lo, (a.indices.map { a[$0] - caps[$0] }.min() ?? 0) - 1)
        }
        for _ in 0..<200 {
            let mid = (lo + hi) / 2
            if sum(mid) > total { lo = mid } else { hi = mid }
            if hi - lo < 1e-12 { break }
        }
        return x((lo + hi) / 2)
    }

    /// The exact Euclidean projection onto {x ≥ 0, Σx = total} (sort-based; Held, Wolfe and
    /// Crowder 1974).
    static func projectOnSimplex(_ a: [Double], total: Double) -> [Double] {
        if total <= 0 { return [Double](repeating: 0, count: a.count) }
        let u = a.sorted(by: >)
        var cumulative = 0.0
        var theta = 0.0
        for (j, value) in u.enumerated() {
            cumulative += value
            let t = (cumulative - total) / Double(j + 1)
            if value - t > 0 { theta = t }
        }
        return a.map { max($0 - theta, 0) }
    }

    /// Whole numbers with sum `total`, each the floor or ceiling of xᵢ (within caps): floors
    /// first, then one more for the largest fractional parts (ties to the lower index).
    static func round(_ x: [Double], total: Int, caps: [Int]? = nil) -> [Int] {
        var out = x.indices.map { i in min(max(Int(x[i].rounded(.down)), 0), caps?[i] ?? Int.max) }
        var missing = total - out.reduce(0, +)
        if missing > 0 {
            let order = x.indices.sorted { (x[$0] - x[$0].rounded(.down), -$0) > (x[$1] - x[$1].rounded(.down), -$1) }
            var pass = 0
            while missing > 0 && pass < 1000 {
                var moved = false
                for i in order where missing > 0 && out[i] < (caps?[i] ?? Int.max) {
                    out[i] += 1
                    missing -= 1
                    moved = true
                }
                if !moved { break }
                pass += 1
            }
        } else if missing < 0 {
            let order = x.indices.sorted { (x[$0] - x[$0].rounded(.down), $0) < (x[$1] - x[$1].rounded(.down), $1) }
            while missing < 0 {
                var moved = false
                for i in order where missing < 0 && out[i] > 0 {
                    out[i] -= 1
                    missing += 1
                    moved = true
                }
                if !moved { break }
            }
        }
        return out
    }

    /// A non-negative whole matrix with the given row and column sums (Σrows = Σcolumns), near
    /// `a`: Dykstra's alternating projections onto the row and column constraints, then
    /// rounding that keeps both sums.
    static func matrix(_ a: [[Double]], rowSums: [Int], columnSums: [Int]) -> [[Int]] {
        let rows = a.count
        guard rows > 0 else { return [] }
        let cols = a[0].count
        var x = a
        var p = [[Double]](repeating: [Double](repeating: 0, count: cols), count: rows)
        var q = p
        for _ in 0..<300 {
            // Rows.
            var maxError = 0.0
            for i in 0..<rows {
                let shifted = (0..<cols).map { x[i][$0] + p[i][$0] }
                let projected = project(shifted, total: Double(rowSums[i]))
                for j in 0..<cols { p[i][j] = shifted[j] - projected[j] }
                x[i] = projected
            }
            // Columns.
            for j in 0..<cols {
                let shifted = (0..<rows).map { x[$0][j] + q[$0][j] }
                let projected = project(shifted, total: Double(columnSums[j]))
                for i in 0..<rows {
                    q[i][j] = shifted[i] - projected[i]
                    x[i][j] = projected[i]
                }
            }
            for i in 0..<rows { maxError = max(maxError, abs(x[i].reduce(0, +) - Double(rowSums[i]))) }
            if maxError < 1e-7 { break }
        }
        // Round: floors, then take back where a row or column is over, then add the missing
        // units where both the row and the column lack one, largest remainders first.
        var b = x.map { $0.map { max(0, Int($0.rounded(.down))) } }
        func frac(_ i: Int, _ j: Int) -> Double { x[i][j] - Double(b[i][j]) }
        for i in 0..<rows {
            while b[i].reduce(0, +) > rowSums[i] {
                let j = (0..<cols).filter { b[i][$0] > 0 }.min { frac(i, $0) < frac(i, $1) }!
                b[i][j] -= 1
            }
        }
        for j in 0..<cols {
            while (0..<rows).reduce(0, { $0 + b[$1][j] }) > columnSums[j] {
                let i = (0..<rows).filter { b[$0][j] > 0 }.min { frac($0, j) < frac($1, j) }!
                b[i][j] -= 1
            }
        }
        var rowNeed = (0..<rows).map { rowSums[$0] - b[$0].reduce(0, +) }
        var colNeed = (0..<cols).map { j in columnSums[j] - (0..<rows).reduce(0) { $0 + b[$1][j] } }
        while let i = rowNeed.indices.first(where: { rowNeed[$0] > 0 }) {
            var best: (Int, Int)? = nil
            var bestGain = -Double.infinity
            for r in 0..<rows where rowNeed[r] > 0 {
                for c in 0..<cols where colNeed[c] > 0 {
                    let g = frac(r, c)
                    if g > bestGain {
                        bestGain = g
                        best = (r, c)
                    }
                }
            }
            guard let (r, c) = best else { break }
            _ = i
            b[r][c] += 1
            rowNeed[r] -= 1
            colNeed[c] -= 1
        }
        return b
    }
}
