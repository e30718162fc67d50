import Foundation
import MosaicCodebook
import MosaicErrorModel
import MosaicQuery
import MosaicReleaseFile

/// One quarter of one unit's series.
public struct Point: Sendable, Equatable, Codable {
    public var period: String
    public var persons: Figure
    public var registeredSchools: Int
    public var reportingSchools: Int
    public var reportingEnrolment: Int
    /// Affected persons per 10,000 pupils of reporting schools, and its margin.
    public var rate: Double?
    public var rateMoe95: Double?
}

/// A unit's quarterly series.
public struct Series: Sendable, Equatable, Codable {
    public var code: String
    public var name: String
    public var points: [Point]
}
