import Crypto
import Foundation
import MosaicCodebook
import MosaicCounts
import MosaicIntake
import MosaicSeal
import MosaicStore

/// Opens packages at the authority: decrypt with the authority key, verify the signature with
/// the school's registered key, and hand the counts to intake.
public struct PackageVerifier: PackageOpener, @unchecked Sendable {
    let authority: AuthorityKey
    /// Registered keys by fingerprint, loaded once.
    let keys: [String: SchoolKey]

    /// The authority's present: a package sealed more than a day after it is refused.
    let now: Date

    /// A verifier with the authority's key and the keys registered in `store` (loaded once); `now` bounds sealing times.
    public init(authority: AuthorityKey, store: Store, now: Date = Date()) throws {
        self.authority = authority
        self.keys = try store.allKeys()
        self.now = now
    }

    /// True when the bytes start like a package (then they must open, or be rejected).
    public func isPackage(_ bytes: [UInt8]) -> Bool { bytes.starts(with: SealedPackage.magic) }

    /// Decrypts, checks the signature against the school's registered key, and returns the counts file inside with its proven origin.
    public func open(_ bytes: [UInt8], file: String) throws -> (content: [UInt8], origin: SealedOrigin) {
        func fail(_ message: String) -> IntakeError { IntakeError(file: file, line: nil, message: message) }
        guard bytes.count >= SealedPackage.headerSize, bytes.starts(with: SealedPackage.magic) else {
            throw fail("not a Mosaic package (truncated or garbage)")
        }
        let version = bytes[8]
        guard version <= SealedPackage.formatVersion else {
            throw fail(
                "a package of format version \(version), newer than this build reads (\(SealedPackage.formatVersion)); upgrade Mosaic")
        }
        guard version == SealedPackage.formatVersion, let suite = SealedPackage.Suite(rawValue: bytes[9]) else {
            throw fail("an unknown package format or cipher suite")
        }
        guard bytes.count == SealedPackage.packageSize else {
            throw fail("the package is truncated or has extra bytes: it was damaged or altered")
        }
        let header = Data(bytes[0..<SealedPackage.headerSize])
        guard SealedPackage.hex(bytes[10..<18]) == authority.fingerprint else {
            throw fail("the package is encrypted to another authority's key, not to this authority")
        }
        let inner: Data
        do {
            var recipient = try HPKE.Recipient(
                privateKey: authority.privateKey, ciphersuite: suite.ciphersuite, info: SealedPackage.info,
                encapsulatedKey: Data(bytes[18..<SealedPackage.headerSize]))
            inner = try recipient.open(Data(bytes[SealedPackage.headerSize...]), authenticating: header)
        } catch {
            throw fail("the package cannot be decrypted: it was altered or damaged on the way")
        }
        let u = Array(inner)
        guard u.count == SealedPackage.innerSize, u.starts(with: Array("MSI1".utf8)) else {
            throw fail("the package's content is malformed")
        }
        let n = Int(u[4])
        var p = 5
        guard n >= 1, p + n + 8 + 8 + 16 + 4 <= u.count else { throw fail("the package's content is malformed") }
        let school = String(decoding: u[p..<p + n], as: UTF8.self)
        p += n
        let signer = SealedPackage.hex(u[p..<p + 8])
        p += 8
        let sealedAt = Int64(bitPattern: u[p..<p + 8].reduce(UInt64(0)) { $0 << 8 | UInt64($1) })
        p += 8 + 16
        let length = Int(u[p..<p + 4].reduce(UInt32(0)) { $0 << 8 | UInt32($1) })
        p += 4
        guard p + length + 64 <= u.count else { throw fail("the package's content is malformed") }
        let content = Array(u[p..<p + length])
        let signed = SealedPackage.info + header + Data(u[0..<p + length])
        let signature = Data(u[p + length..<p + length + 64])

        guard let key = keys[signer] else { throw fail("signed with a key that is not registered (issue credentials to the school first)") }
        guard key.schoolID == school else { throw fail("the package claims another school than the one its signing key is registered to") }
        guard let publicKey = try? Curve25519.Signing.PublicKey(rawRepresentation: key.publicKey),
            publicKey.isValidSignature(signature, for: signed)
        else { throw fail("the signature does not verify: the package was altered or not made with the school's key") }
        // From here the signature names the school: messages may say whose package it is.
        guard key.isActive else {
            throw fail(
                "school \(key.schoolID): signed with a revoked key (\(signer)); the school must seal again with its current credentials")
        }
        guard sealedAt <= Int64(now.timeIntervalSince1970) + SealingClock.tolerance else {
            throw fail(
                "school \(key.schoolID): sealed more than 12 hours in the future by the school's clock; ask the school to check its computer's date and seal again"
            )
        }
        let digest = SealedPackage.hex(SHA256.hash(data: Data(bytes)))
        return (content, SealedOrigin(schoolID: school, keyFingerprint: signer, sealedAt: sealedAt, packageDigest: digest))
    }
}
