/// Where a sealed submission came from, as proven by its package.
public struct SealedOrigin: Sendable, Equatable {
    /// The school named inside the signed content.
    public var schoolID: String
    /// Fingerprint of the key that signed it (registered to that school).
    public var keyFingerprint: String
    /// When the school sealed it (Unix seconds, inside the signature).
    public var sealedAt: Int64
    /// SHA-256 of the whole package, hex.
    public var packageDigest: String

    /// Makes the value from its parts.
    public init(schoolID: String, keyFingerprint: String, sealedAt: Int64, packageDigest: String) {
        self.schoolID = schoolID
        self.keyFingerprint = keyFingerprint
        self.sealedAt = sealedAt
        self.packageDigest = packageDigest
    }
}

/// The first bytes of every sealed package (format in `MosaicSeal`'s `SealedPackage`).
public enum PackageMagic {
    /// "MOSAICPK".
    public static let bytes: [UInt8] = Array("MOSAICPK".utf8)
}
