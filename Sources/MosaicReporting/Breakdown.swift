import Foundation
import MosaicCodebook
import MosaicErrorModel
import MosaicQuery
import MosaicReleaseFile

/// A category of a breakdown.
public struct Category: Sendable, Equatable, Codable {
    public var code: String
    public var label: String
    public var figure: Figure
    /// Share of affected persons (for responses), when known.
    public var share: Double?
}

/// A breakdown of the latest quarter.
public struct Breakdown: Sendable, Equatable, Codable {
    /// `kind`, `victims`, `channels`, `tools`, `perpetrators`, `responses`.
    public var key: String
    public var categories: [Category]
}
