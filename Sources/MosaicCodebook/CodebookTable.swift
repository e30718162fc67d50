import Foundation

/// One cell of a codebook table: a combination of one value per dimension.
public struct Cell: Sendable, Hashable {
    /// The table the cell belongs to.
    public var table: String
    /// The dimension values joined by `.`, for example `shared.pupil_14_15.female`.
    public var code: String
    /// The dimension values in the table's dimension order.
    public var values: [String]
    /// Position of the cell among all cells of the codebook (tables in order, cells in order).
    public var index: Int
}

/// A table of counts that every submission fills in.
public struct CodebookTable: Sendable, Hashable {
    /// The name.
    public var name: String
    /// The label in the chosen language.
    public var label: LocalizedText
    /// Dimension names, in the order their values are joined in a cell code.
    public var dimensions: [String]
    /// True when one person may count in several cells (for example `responses`).
    public var multiValued: Bool
    /// Every cell, in codebook order (the first dimension varies slowest).
    public var cells: [Cell]
    /// How reports show the table: one breakdown per entry, in order.
    public var report: [ReportBreakdown] = []
    /// The table's weight in the release plan's objective (how much its accuracy matters against
    /// the other tables'; 1 unless the codebook says otherwise).
    public var importance: Double = 1
    /// Whether releases break the table down by the registry's dimensions (stage, sector) by default.
    public var brokenDown: Bool = false
}

/// One breakdown of a table in a report: the table's values summed by some of its dimensions.
public struct ReportBreakdown: Sendable, Hashable, Decodable {
    /// The breakdown's key: the report's catalogues title it by this key, else by the table's label.
    public var key: String
    /// The table's dimensions it groups by, in order.
    public var by: [String]
    /// Whether its leading category may make a report's main points ("most were made with a nudify app").
    public var mainPoint: Bool

    /// Makes the value from its parts.
    public init(key: String, by: [String], mainPoint: Bool = false) {
        self.key = key
        self.by = by
        self.mainPoint = mainPoint
    }

    enum CodingKeys: String, CodingKey {
        case key, by
        case mainPoint = "main_point"
    }

    /// Decodes a breakdown; `main_point` is optional (false).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        key = try c.decode(String.self, forKey: .key)
        by = try c.decode([String].self, forKey: .by)
        mainPoint = try c.decodeIfPresent(Bool.self, forKey: .mainPoint) ?? false
    }
}
