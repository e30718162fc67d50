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
}
