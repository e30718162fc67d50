import CGLPK
import Foundation

/// A linear program solved by GLPK's simplex method, built once and optimised for several
/// objectives in turn (each solve starts from the previous basis).
///
/// Columns and rows carry bounds (`-infinity` / `+infinity` for none); rows are sparse sums of
/// columns. GLPK keeps one environment per process and its thread safety depends on how it was
/// built, so every call into it goes through one lock.
final class LinearProgram {
    /// How one optimisation ended.
    enum Outcome: Equatable {
        /// An optimum: the objective's value.
        case optimal(Double)
        /// The objective has no bound in the asked direction.
        case unbounded
        /// No point satisfies the constraints.
        case infeasible
        /// GLPK stopped without an answer (iteration limit, numerical trouble).
        case failed(Int32)
    }

    private static let lock = NSLock()
    private let problem: OpaquePointer
    private var objectiveColumns: [Int] = []
    /// Columns, in the order added.
    private(set) var columnCount = 0
    /// Dual simplex (falling back to primal) rather than primal: the better warm start when
    /// bounds change between solves and the objective does not.
    var dual = false

    init() {
        problem = LinearProgram.lock.withLock {
            glp_term_out(GLP_OFF)
            return glp_create_prob()
        }
    }

    deinit {
        LinearProgram.lock.withLock { glp_delete_prob(problem) }
    }

    private static func boundType(_ lower: Double, _ upper: Double) -> Int32 {
        switch (lower.isFinite, upper.isFinite) {
        case (false, false): return GLP_FR
        case (true, false): return GLP_LO
        case (false, true): return GLP_UP
        case (true, true): return lower == upper ? GLP_FX : GLP_DB
        }
    }

    /// Adds columns with bounds; returns the index of the first (0-based).
    @discardableResult
    func addColumns(_ bounds: [(lower: Double, upper: Double)]) -> Int {
        let first = columnCount
        guard !bounds.isEmpty else { return first }
        LinearProgram.lock.withLock {
            glp_add_cols(problem, Int32(bounds.count))
            for (k, b) in bounds.enumerated() {
                glp_set_col_bnds(
                    problem, Int32(first + k + 1), LinearProgram.boundType(b.lower, b.upper), b.lower.isFinite ? b.lower : 0,
                    b.upper.isFinite ? b.upper : 0)
            }
        }
        columnCount += bounds.count
        return first
    }

    /// Adds the rows `lower ≤ Σ coefficient·column ≤ upper` (columns 0-based).
    func addRows(_ rows: [(terms: [(column: Int, coefficient: Double)], lower: Double, upper: Double)]) {
        guard !rows.isEmpty else { return }
        LinearProgram.lock.withLock {
            let first = glp_add_rows(problem, Int32(rows.count))
            for (k, row) in rows.enumerated() {
                let i = first + Int32(k)
                glp_set_row_bnds(
                    problem, i, LinearProgram.boundType(row.lower, row.upper), row.lower.isFinite ? row.lower : 0,
                    row.upper.isFinite ? row.upper : 0)
                // GLPK arrays are 1-based: element 0 is ignored.
                var index = [Int32](repeating: 0, count: row.terms.count + 1)
                var value = [Double](repeating: 0, count: row.terms.count + 1)
                for (n, t) in row.terms.enumerated() {
                    index[n + 1] = Int32(t.column + 1)
                    value[n + 1] = t.coefficient
                }
                glp_set_mat_row(problem, i, Int32(row.terms.count), &index, &value)
            }
        }
    }

    /// Sets a column's bounds.
    func setColumnBounds(_ column: Int, lower: Double, upper: Double) {
        LinearProgram.lock.withLock {
            glp_set_col_bnds(
                problem, Int32(column + 1), LinearProgram.boundType(lower, upper), lower.isFinite ? lower : 0,
                upper.isFinite ? upper : 0)
        }
    }

    /// Minimises (or maximises) `Σ coefficient·column`.
    func optimize(_ objective: [(column: Int, coefficient: Double)], maximize: Bool, keepObjective: Bool = false) -> Outcome {
        LinearProgram.lock.withLock {
            if !keepObjective {
                for j in objectiveColumns { glp_set_obj_coef(problem, Int32(j + 1), 0) }
                objectiveColumns = objective.map(\.column)
                for t in objective { glp_set_obj_coef(problem, Int32(t.column + 1), t.coefficient) }
            }
            glp_set_obj_dir(problem, maximize ? GLP_MAX : GLP_MIN)
            var parameters = glp_smcp()
            glp_init_smcp(&parameters)
            parameters.msg_lev = GLP_MSG_OFF
            parameters.meth = dual ? GLP_DUALP : GLP_PRIMAL
            parameters.presolve = GLP_OFF
            var code = glp_simplex(problem, &parameters)
            if code != 0 {
                // A stale or singular basis: start again from the standard one.
                glp_std_basis(problem)
                code = glp_simplex(problem, &parameters)
                if code != 0 { return .failed(code) }
            }
            switch glp_get_status(problem) {
            case GLP_OPT: return .optimal(glp_get_obj_val(problem))
            case GLP_UNBND: return .unbounded
            case GLP_NOFEAS: return .infeasible
            default:
                // GLPK reports an unbounded primal as a dual without a feasible point.
                if glp_get_prim_stat(problem) == GLP_FEAS && glp_get_dual_stat(problem) == GLP_NOFEAS { return .unbounded }
                if glp_get_prim_stat(problem) == GLP_NOFEAS { return .infeasible }
                return .failed(glp_get_status(problem))
            }
        }
    }

    /// Sets the objective's coefficient of one column (kept until changed).
    func setObjective(_ column: Int, _ coefficient: Double) {
        LinearProgram.lock.withLock { glp_set_obj_coef(problem, Int32(column + 1), coefficient) }
    }

    /// Optimises the objective set with ``setObjective(_:_:)``.
    func optimize(maximize: Bool) -> Outcome {
        let kept = objectiveColumns
        objectiveColumns = []
        defer { objectiveColumns = kept }
        return optimize([], maximize: maximize, keepObjective: true)
    }

    /// The values of every column in the last solution.
    func values() -> [Double] {
        var out = [Double](repeating: 0, count: columnCount)
        LinearProgram.lock.withLock {
            out.withUnsafeMutableBufferPointer { b in
                for j in 0..<b.count { b[j] = glp_get_col_prim(problem, Int32(j + 1)) }
            }
        }
        return out
    }
}
