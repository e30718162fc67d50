import Crypto
import Foundation
import MosaicCodebook
import MosaicCounts

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
    /// The first bytes of every package.
    public static let magic = PackageMagic.bytes
    /// The package format version written.
    public static let formatVersion: UInt8 = 1
    /// The cipher suite identifier written.
    public static let suite: UInt8 = 1
    /// Bytes of the header in clear.
    public static let headerSize = 50
    /// Bytes of the encrypted inner part.
    public static let innerSize = 16_384
    /// Bytes of every package.
    public static let packageSize = headerSize + innerSize + 16
    /// The release's parameters.
    package static let info = Data("mosaic-package-v1".utf8)
    /// The HPKE cipher suite of format version 1.
    package static var ciphersuite: HPKE.Ciphersuite { .Curve25519_SHA256_ChachaPoly }

    /// Seals a counts file: checks it (codebook rules, without a registry), rewrites it in the
    /// canonical form, signs and encrypts it to the authority.
    ///
    /// - Throws: ``IntakeError`` if the counts are invalid or name another school than the
    ///   credentials; ``SealError`` if they do not fit.
    public static func seal(_ counts: [UInt8], file: String, credentials: Credentials, now: Date = Date()) throws -> Data {
        let parsed = try CountsFile.parse(counts, file: file, now: now)
        guard parsed.submission.schoolID == credentials.schoolID else {
            throw IntakeError(
                file: file, line: parsed.schoolLine, field: "school_id", message: "names another school than these credentials")
        }
        let codebook = try Codebook.bundled(version: parsed.submission.codebookVersion)
        let content = Array(CountsFile.write(parsed.submission, codebook: codebook, format: .csv, labels: false).utf8)
        return try sealContent(content, school: credentials.schoolID, file: file, credentials: credentials, now: now)
    }

    /// Seals `content` as it is, claiming `school`: the low-level step (tests use it to forge).
    static func sealContent(
        _ content: [UInt8], school schoolID: String, file: String, credentials: Credentials, now: Date,
        version: UInt8 = formatVersion
    ) throws -> Data {
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

    /// Lowercase hexadecimal of bytes: the one encoding of fingerprints and digests.
    package static func hex(_ bytes: some Sequence<UInt8>) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

    static func bigEndian<T: FixedWidthInteger>(_ v: T) -> [UInt8] {
        withUnsafeBytes(of: v.bigEndian) { Array($0) }
    }
}
