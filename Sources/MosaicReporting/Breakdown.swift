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
    /// The codebook's key for it (`kind`, `victims`, `channels`, …).
    public var key: String
    /// The categories, in the order shown.
    public var categories: [Category]
    /// Its heading: the report catalogue's wording of the key, else the codebook table's label.
    public var title: String = ""
    /// Whether its categories show shares of the persons (a table where several values may
    /// apply to one person, such as responses).
    public var shares: Bool = false
    /// Whether its leading category may make the main points, and how they name it ("the main channel").
    public var mainPoint: String?
}

/// One part of the area broken down by stage or sector: its figure and its rate per 10,000 pupils
/// of that stage or sector.
public struct DomainCategory: Sendable, Equatable, Codable {
    /// The value's code (`secondary`, `private`).
    public var code: String
    /// The label in the chosen language.
    public var label: String
    /// The published figure (withheld ones say why).
    public var figure: Figure
    /// Registered pupils of the part (a registry fact).
    public var pupils: Int
    /// Affected persons per 10,000 pupils of the part; nil when withheld or without pupils.
    public var rate: Double?
    /// The rate's 95 % margin (the noise's, and the area's reporting band).
    public var rateMoe95: Double?
}

/// The area of a report broken down by school stage or sector (the latest quarter).
public struct DomainBreakdown: Sendable, Equatable, Codable {
    /// `stage` or `sector`.
    public var key: String
    /// The parts, in the dimension's order.
    public var categories: [DomainCategory]
}
