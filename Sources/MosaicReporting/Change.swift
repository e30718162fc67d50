import Foundation
import MosaicCodebook
import MosaicErrorModel
import MosaicQuery
import MosaicReleaseFile

/// Whether a change is larger than the noise.
public enum Verdict: String, Sendable, Codable { case rise, fall, within, unknown }

/// A change between two quarters of the scope.
public struct Change: Sendable, Equatable, Codable {
    public var against: String
    public var difference: Int?
    /// 95 % margin of the difference: the two releases' noises are independent.
    public var moe95: Double?
    public var verdict: Verdict
}

/// A unit whose latest quarter is significantly above its own recent average.
public struct NotableRise: Sendable, Equatable, Codable {
    public var code: String
    public var name: String
    public var latest: Int
    public var baseline: Double
    public var difference: Double
    public var moe95: Double
}
