import Crypto
import Foundation
import MosaicCodebook
import MosaicCounts

/// The sealed package format, version 1.
///
/// ```
/// header (50 bytes, in clear, authenticated as HPKE associated data):
///   magic "MOSAICPK" (8) | format version (1) = 1 | suite (1) = 1 or 2 |
///   authority key fingerprint (8) | HPKE encapsulated key (32)
/// ciphertext (16,400 bytes): HPKE (RFC 9180) base mode, DHKEM(X25519, HKDF-SHA256),
///   HKDF-SHA256 and, by suite, ChaCha20-Poly1305 (1: `mosaic seal`) or AES-128-GCM (2: the
///   browser form, since Web Crypto has no ChaCha20-Poly1305), info "mosaic-package-v1", of the
///   16,384-byte inner part:
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
    /// The cipher suite identifier `mosaic seal` writes.
    public static let suite: UInt8 = Suite.chachaPoly.rawValue

    /// The HPKE cipher suites a package may name in its header (byte 9). Both use DHKEM(X25519,
    /// HKDF-SHA256) and HKDF-SHA256; they differ in the AEAD only, and the authority opens both.
    public enum Suite: UInt8, Sendable, CaseIterable {
        /// ChaCha20-Poly1305: what `mosaic seal` writes.
        case chachaPoly = 1
        /// AES-128-GCM: what the browser form writes (RFC 9180 appendix A.1's suite).
        case aesGCM = 2

        /// The HPKE cipher suite.
        package var ciphersuite: HPKE.Ciphersuite {
            switch self {
            case .chachaPoly: return .Curve25519_SHA256_ChachaPoly
            case .aesGCM: return HPKE.Ciphersuite(kem: .Curve25519_HKDF_SHA256, kdf: .HKDF_SHA256, aead: .AES_GCM_128)
            }
        }
    }
    /// Bytes of the header in clear.
    public static let headerSize = 50
    /// Bytes of the encrypted inner part.
    public static let innerSize = 16_384
    /// Bytes of every package.
    public static let packageSize = headerSize + innerSize + 16
    /// The release's parameters.
    package static let info = Data("mosaic-package-v1".utf8)

    /// Seals a counts file: checks it (codebook rules, without a registry), rewrites it in the
    /// canonical form, signs and encrypts it to the authority.
    ///
    /// - Throws: ``IntakeError`` if the counts are invalid or name another school than the
    ///   credentials; ``SealError`` if they do not fit.
    public static func seal(
        _ counts: [UInt8], file: String, credentials: Credentials, now: Date = Date(), suite: Suite = .chachaPoly
    ) throws -> Data {
        let parsed = try CountsFile.parse(counts, file: file, now: now)
        guard parsed.submission.schoolID == credentials.schoolID else {
            throw IntakeError(
                file: file, line: parsed.schoolLine, field: "school_id", message: "names another school than these credentials")
        }
        let codebook = try Codebook.bundled(version: parsed.submission.codebookVersion)
        let content = Array(CountsFile.write(parsed.submission, codebook: codebook, format: .csv, labels: false).utf8)
        return try sealContent(content, school: credentials.schoolID, file: file, credentials: credentials, now: now, suite: suite)
    }

    /// The sealing steps with every random input given: the HPKE ephemeral key and the inner
    /// nonce. Only for checking another implementation byte for byte (the browser form's); a real
    /// package draws both from the OS.
    package static func sealDeterministic(
        _ content: [UInt8], credentials: Credentials, sealedAt: Int64, ephemeralKey: Curve25519.KeyAgreement.PrivateKey,
        nonce: [UInt8], suite: Suite = .aesGCM
    ) throws -> Data {
        try sealContent(
            content, school: credentials.schoolID, file: "(deterministic)", credentials: credentials,
            now: Date(timeIntervalSince1970: TimeInterval(sealedAt)), suite: suite, fixed: (ephemeralKey, nonce))
    }

    /// Seals `content` as it is, claiming `school`: the low-level step (tests use it to forge).
    static func sealContent(
        _ content: [UInt8], school schoolID: String, file: String, credentials: Credentials, now: Date,
        version: UInt8 = formatVersion, suite: Suite = .chachaPoly,
        fixed: (ephemeralKey: Curve25519.KeyAgreement.PrivateKey, nonce: [UInt8])? = nil
    ) throws -> Data {
        let authorityKey = try Curve25519.KeyAgreement.PublicKey(rawRepresentation: credentials.authorityPublicKey)
        // swift-crypto's sender draws its own ephemeral key; with a fixed one, the same steps
        // written out (HPKEBaseSender, checked against RFC 9180's vectors and swift-crypto).
        var sender: HPKE.Sender?
        let encapsulated: Data
        if let fixed {
            encapsulated = fixed.ephemeralKey.publicKey.rawRepresentation
        } else {
            let s = try HPKE.Sender(recipientKey: authorityKey, ciphersuite: suite.ciphersuite, info: info)
            encapsulated = s.encapsulatedKey
            sender = s
        }
        var header = Data(magic)
        header.append(version)
        header.append(suite.rawValue)
        header.append(contentsOf: hexBytes(fingerprint(of: credentials.authorityPublicKey)))
        header.append(encapsulated)
        precondition(header.count == headerSize)

        var inner = Data("MSI1".utf8)
        let school = Array(schoolID.utf8)
        inner.append(UInt8(school.count))
        inner.append(contentsOf: school)
        inner.append(contentsOf: hexBytes(credentials.fingerprint))
        inner.append(contentsOf: bigEndian(UInt64(bitPattern: Int64(now.timeIntervalSince1970))))
        var nonce = [UInt8](repeating: 0, count: 16)
        if let fixed, fixed.nonce.count == 16 {
            nonce = fixed.nonce
        } else {
            var rng = SystemRandomNumberGenerator()
            for i in nonce.indices { nonce[i] = UInt8.random(in: 0...255, using: &rng) }
        }
        inner.append(contentsOf: nonce)
        inner.append(contentsOf: bigEndian(UInt32(content.count)))
        inner.append(contentsOf: content)
        guard inner.count + 64 <= innerSize else { throw SealError.tooLarge(file) }
        let signature = try credentials.signingKey.signature(for: info + header + inner)
        inner.append(signature)
        inner.append(Data(count: innerSize - inner.count))
        let ciphertext: Data
        if var sender {
            ciphertext = try sender.seal(inner, authenticating: header)
        } else if let fixed {
            ciphertext = try HPKEBaseSender(
                recipientKey: credentials.authorityPublicKey, ephemeralKey: fixed.ephemeralKey, info: info, suite: suite
            ).seal(inner, authenticating: header)
        } else {
            throw SealError.tooLarge(file)  // unreachable: one of the two is set
        }
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
