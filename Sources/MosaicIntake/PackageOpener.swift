import MosaicCounts

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
