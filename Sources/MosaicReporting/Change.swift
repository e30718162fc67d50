import Foundation
import MosaicCodebook
import MosaicErrorModel
import MosaicQuery
import MosaicReleaseFile

/// Whether a change is larger than the noise.
public enum Verdict: String, Sendable, Codable {
    case rise, fall, within, unknown
    /// A change in counts beyond its margin that the rates do not confirm: more (or fewer)
    /// schools reporting, within the published reporting bands, could explain it.
    case reporting
}

/// A change between two quarters of the scope.
public struct Change: Sendable, Equatable, Codable {
    /// The quarter compared with.
    public var against: String
    /// The difference (latest minus the compared value).
    public var difference: Int?
    /// 95 % margin of the difference: the two releases' noises are independent.
    public var moe95: Double?
    /// Rise, fall, within the margin, or unknown.
    public var verdict: Verdict
}

/// A unit whose latest quarter is significantly above its own recent average.
public struct NotableRise: Sendable, Equatable, Codable {
    /// The code (stable; used in files and queries).
    public var code: String
    /// The name.
    public var name: String
    /// The latest quarter's value.
    public var latest: Int
    /// The mean of the earlier quarters compared with.
    public var baseline: Double
    /// The difference (latest minus the compared value).
    public var difference: Double
    /// Half-width of the 95 % interval; nil when withheld.
    public var moe95: Double
}
