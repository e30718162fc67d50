import Crypto
import Foundation
import MosaicCodebook
import MosaicIntake
import MosaicStore

/// The sealed package format, version 1.
///
/// ```
/// header (50 bytes, in clear, authenticated as HPKE associated data):
///   magic "MOSAICPK" (8) | format version (1) = 1 | suite (1) = 1 |
///   authority key fingerprint (8) | HPKE encapsulated key (32)
/// ciphertext (16,400 bytes): HPKE (RFC 9180) base mode, DHKEM(X25519, HKDF-SHA256),
///   HKDF-SHA256, ChaCha20-Poly1305, info "mosaic-package-v1", of the 16,384-byte inner part:
///   "MSI1" (4) | school id length (1) | school id | signer key fingerprint (8) |
///   sealed at, Unix seconds, big-endian (8) | random nonce (16) | content length, big-endian (4) |
///   content: the counts file, canonical CSV without labels | Ed25519 signature (64) | zeros
/// ```
///
/// The signature covers "mosaic-package-v1", the header, and the inner part up to the signature:
/// it binds the counts, the school, the time and the intended authority. Every package has the
/// same size (16,450 bytes), so its size says nothing about its school or counts; name the file
/// neutrally (the `seal` command suggests a random name).
public enum SealedPackage {
    public static let magic = Array("MOSAICPK".utf8)
    public static let formatVersion: UInt8 = 1
    public static let suite: UInt8 = 1
    public static let headerSize = 50
    public static let innerSize = 16_384
    public static let packageSize = headerSize + innerSize + 16
    static let info = Data("mosaic-package-v1".utf8)
    static var ciphersuite: HPKE.Ciphersuite { .Curve25519_SHA256_ChachaPoly }

    /// Seals a counts file: checks it (codebook rules, without a registry), rewrites it in the
    /// canonical form, signs and encrypts it to the authority.
    ///
    /// - Throws: ``IntakeError`` if the counts are invalid or name another school than the
    ///   credentials; ``SealError`` if they do not fit.
    public static func seal(_ counts: [UInt8], file: String, credentials: Credentials, now: Date = Date()) throws -> Data {
        let parsed = try CountsFile.parse(counts, file: file, now: now)
        guard parsed.submission.schoolID == credentials.schoolID else {
            throw IntakeError(file: file, line: parsed.schoolLine, field: "school_id", message: "names another school than these credentials")
        }
        let codebook = try Codebook.bundled(version: parsed.submission.codebookVersion)
        let content = Array(CountsFile.write(parsed.submission, codebook: codebook, format: .csv, labels: false).utf8)
        return try sealContent(content, school: credentials.schoolID, file: file, credentials: credentials, now: now)
    }

    /// Seals `content` as it is, claiming `school`: the low-level step (tests use it to forge).
    static func sealContent(_ content: [UInt8], school schoolID: String, file: String, credentials: Credentials, now: Date,
                            version: UInt8 = formatVersion) throws -> Data {
        let authorityKey = try Curve25519.KeyAgreement.PublicKey(rawRepresentation: credentials.authorityPublicKey)
        var sender = try HPKE.Sender(recipientKey: authorityKey, ciphersuite: ciphersuite, info: info)
        var header = Data(magic)
        header.append(version)
        header.append(suite)
        header.append(contentsOf: hexBytes(fingerprint(of: credentials.authorityPublicKey)))
        header.append(sender.encapsulatedKey)
        precondition(header.count == headerSize)

        var inner = Data("MSI1".utf8)
        let school = Array(schoolID.utf8)
        inner.append(UInt8(school.count))
        inner.append(contentsOf: school)
        inner.append(contentsOf: hexBytes(credentials.fingerprint))
        inner.append(contentsOf: bigEndian(UInt64(bitPattern: Int64(now.timeIntervalSince1970))))
        var nonce = [UInt8](repeating: 0, count: 16)
        var rng = SystemRandomNumberGenerator()
        for i in nonce.indices { nonce[i] = UInt8.random(in: 0...255, using: &rng) }
        inner.append(contentsOf: nonce)
        inner.append(contentsOf: bigEndian(UInt32(content.count)))
        inner.append(contentsOf: content)
        guard inner.count + 64 <= innerSize else { throw SealError.tooLarge(file) }
        let signature = try credentials.signingKey.signature(for: info + header + inner)
        inner.append(signature)
        inner.append(Data(count: innerSize - inner.count))
        let ciphertext = try sender.seal(inner, authenticating: header)
        return header + ciphertext
    }

    static func hexBytes(_ hex: String) -> [UInt8] {
        var out: [UInt8] = []
        var i = hex.startIndex
        while i < hex.endIndex {
            let j = hex.index(i, offsetBy: 2)
            out.append(UInt8(hex[i..<j], radix: 16)!)
            i = j
        }
        return out
    }

    static func hex(_ bytes: some Sequence<UInt8>) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

    static func bigEndian<T: FixedWidthInteger>(_ v: T) -> [UInt8] {
        withUnsafeBytes(of: v.bigEndian) { Array($0) }
    }
}

/// Opens packages at the authority: decrypt with the authority key, verify the signature with
/// the school's registered key, and hand the counts to intake.
public struct PackageVerifier: PackageOpener, @unchecked Sendable {
    let authority: AuthorityKey
    /// Registered keys by fingerprint, loaded once.
    let keys: [String: SchoolKey]

    /// The authority's present: a package sealed more than a day after it is refused.
    let now: Date

    public init(authority: AuthorityKey, store: Store, now: Date = Date()) throws {
        self.authority = authority
        self.keys = try store.allKeys()
        self.now = now
    }

    public func isPackage(_ bytes: [UInt8]) -> Bool { bytes.starts(with: SealedPackage.magic) }

    public func open(_ bytes: [UInt8], file: String) throws -> (content: [UInt8], origin: SealedOrigin) {
        func fail(_ message: String) -> IntakeError { IntakeError(file: file, line: nil, message: message) }
        guard bytes.count >= SealedPackage.headerSize, bytes.starts(with: SealedPackage.magic) else {
            throw fail("not a Mosaic package (truncated or garbage)")
        }
        let version = bytes[8]
        guard version <= SealedPackage.formatVersion else {
            throw fail("a package of format version \(version), newer than this build reads (\(SealedPackage.formatVersion)); upgrade Mosaic")
        }
        guard version == SealedPackage.formatVersion, bytes[9] == SealedPackage.suite else { throw fail("an unknown package format or cipher suite") }
        guard bytes.count == SealedPackage.packageSize else { throw fail("the package is truncated or has extra bytes: it was damaged or altered") }
        let header = Data(bytes[0..<SealedPackage.headerSize])
        guard SealedPackage.hex(bytes[10..<18]) == authority.fingerprint else {
            throw fail("the package is encrypted to another authority's key, not to this authority")
        }
        let inner: Data
        do {
            var recipient = try HPKE.Recipient(
                privateKey: authority.privateKey, ciphersuite: SealedPackage.ciphersuite, info: SealedPackage.info,
                encapsulatedKey: Data(bytes[18..<SealedPackage.headerSize]))
            inner = try recipient.open(Data(bytes[SealedPackage.headerSize...]), authenticating: header)
        } catch {
            throw fail("the package cannot be decrypted: it was altered or damaged on the way")
        }
        let u = Array(inner)
        guard u.count == SealedPackage.innerSize, u.starts(with: Array("MSI1".utf8)) else { throw fail("the package's content is malformed") }
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
            throw fail("school \(key.schoolID): signed with a revoked key (\(signer)); the school must seal again with its current credentials")
        }
        guard sealedAt <= Int64(now.timeIntervalSince1970) + 86_400 else {
            throw fail("school \(key.schoolID): sealed more than a day in the future by the school's clock; ask the school to check its computer's date and seal again")
        }
        let digest = SHA256.hash(data: Data(bytes)).map { String(format: "%02x", $0) }.joined()
        return (content, SealedOrigin(schoolID: school, keyFingerprint: signer, sealedAt: sealedAt, packageDigest: digest))
    }
}
