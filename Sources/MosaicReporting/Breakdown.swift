import Foundation
import MosaicCodebook
import MosaicErrorModel
import MosaicQuery
import MosaicReleaseFile

/// A category of a breakdown.
public struct Category: Sendable, Equatable, Codable {
    /// The code (stable; used in files and queries).
    public var code: String
    /// The label in the chosen language.
    public var label: String
    /// The published figure.
    public var figure: Figure
    /// Share of affected persons (for responses), when known.
    public var share: Double?
    /// The 95 % margin of the share (the delta method over the cell's and the total's margins,
    /// taken as independent: wider than the truth, since the cell is part of the total).
    public var shareMoe95: Double?
}

/// A breakdown of the latest quarter.
public struct Breakdown: Sendable, Equatable, Codable {
    /// `kind`, `victims`, `channels`, `tools`, `perpetrators`, `responses`.
    public var key: String
    /// The categories, in the order shown.
    public var categories: [Category]
}
