import Foundation

/// The rules that tie a submission's tables together.
public struct CodebookRules: Codable, Sendable, Hashable {
    /// Tables whose totals must be equal: each counts every affected person exactly once.
    public var equalTotals: [String]
    /// Tables where each cell is at most the total of another table.
    public var atMostTotal: AtMostTotal

    /// A rule: each cell of `table` is at most the total of `totalOf` (a response per person at most).
    public struct AtMostTotal: Codable, Sendable, Hashable {
        /// The tables, in codebook order.
        public var tables: [String]
        /// The table whose total the others must equal.
        public var totalOf: String
        enum CodingKeys: String, CodingKey {
            case tables
            case totalOf = "total_of"
        }
    }

    enum CodingKeys: String, CodingKey {
        case equalTotals = "equal_totals"
        case atMostTotal = "at_most_total"
    }
}

/// What schools count: the versioned list of tables, their dimensions and cells, and the rules
/// that tie them together.
///
/// The codebook is data, shipped as a package resource (`codebook-v1.json`). A submission states
/// the version it follows; ``Codebook/bundled(version:)`` loads that version.
///
/// A broken rule between tables.
public enum RuleViolation: Sendable, Hashable, CustomStringConvertible {
    /// Two tables that must count every person once have different totals.
    case totalsDisagree(String, String)
    /// A cell of a multi-valued table is larger than the number of affected persons.
    case aboveTotal(table: String, cell: String, totalOf: String)

    /// A readable form, for messages.
    public var description: String {
        switch self {
        case .totalsDisagree(let a, let b):
            return "the totals of tables '\(a)' and '\(b)' disagree (each must count every affected person once)"
        case .aboveTotal(let table, let cell, let totalOf):
            return "cell '\(cell)' of table '\(table)' is larger than the total of '\(totalOf)'"
        }
    }
}
