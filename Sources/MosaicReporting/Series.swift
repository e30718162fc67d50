import Foundation
import MosaicCodebook
import MosaicErrorModel
import MosaicQuery
import MosaicReleaseFile

/// One quarter of one unit's series.
public struct Point: Sendable, Equatable, Codable {
    /// The quarter, `YYYY-Qn`.
    public var period: String
    /// Affected persons.
    public var persons: Figure
    /// Registered open schools.
    public var registeredSchools: Int
    /// Schools that reported.
    public var reportingSchools: Int
    /// Pupils in schools that reported.
    public var reportingEnrolment: Int
    /// Affected persons per 10,000 pupils of reporting schools, and its margin.
    public var rate: Double?
    /// The 95 % margin of the rate.
    public var rateMoe95: Double?
}

/// A unit's quarterly series.
public struct Series: Sendable, Equatable, Codable {
    /// The code (stable; used in files and queries).
    public var code: String
    /// The name.
    public var name: String
    /// One point per quarter, oldest first.
    public var points: [Point]
}
