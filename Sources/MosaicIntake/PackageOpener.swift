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

    public init(schoolID: String, keyFingerprint: String, sealedAt: Int64, packageDigest: String) {
        self.schoolID = schoolID
        self.keyFingerprint = keyFingerprint
        self.sealedAt = sealedAt
        self.packageDigest = packageDigest
    }
}

/// Opens sealed packages for ingest: decrypts, checks the signature against the registered key,
/// and returns the counts file inside. Implemented by `MosaicSeal`.
public protocol PackageOpener: Sendable {
    /// True when the bytes start like a package (then they must open, or be rejected).
    func isPackage(_ bytes: [UInt8]) -> Bool
    /// The counts file inside and its proven origin.
    ///
    /// - Throws: ``IntakeError`` naming the file and the reason, never key material.
    func open(_ bytes: [UInt8], file: String) throws -> (content: [UInt8], origin: SealedOrigin)
}
