import Crypto
import Foundation

/// HPKE (RFC 9180) base-mode sealing of one message, written out step by step for
/// DHKEM(X25519, HKDF-SHA256) and HKDF-SHA256, with the ephemeral key given.
///
/// swift-crypto's `HPKE.Sender` draws its ephemeral key itself, which is right for real packages
/// and the only path they take. This type exists so that a package can be sealed with a fixed
/// ephemeral key and compared byte for byte with another implementation (the browser form's
/// Web Crypto code). Tests check it against RFC 9180 appendix A.1 and A.2 and against
/// swift-crypto's `HPKE.Recipient`.
package struct HPKEBaseSender {
    /// The AEAD key.
    let key: SymmetricKey
    /// The AEAD nonce of the first (only) message.
    let baseNonce: [UInt8]
    let suite: SealedPackage.Suite

    /// The HPKE context for `recipientKey` (raw X25519) with the ephemeral key `ephemeralKey`.
    package init(recipientKey: Data, ephemeralKey: Curve25519.KeyAgreement.PrivateKey, info: Data, suite: SealedPackage.Suite) throws {
        self.suite = suite
        let pkR = try Curve25519.KeyAgreement.PublicKey(rawRepresentation: recipientKey)
        let dh = try ephemeralKey.sharedSecretFromKeyAgreement(with: pkR).withUnsafeBytes { Array($0) }
        let enc = Array(ephemeralKey.publicKey.rawRepresentation)
        let kemSuite = Array("KEM".utf8) + [0x00, 0x20]
        let eaePRK = Self.labeledExtract(salt: [], label: "eae_prk", ikm: dh, suiteID: kemSuite)
        let sharedSecret = Self.labeledExpand(
            prk: eaePRK, label: "shared_secret", info: enc + Array(recipientKey), length: 32, suiteID: kemSuite)
        let aeadID: UInt8 = suite == .aesGCM ? 0x01 : 0x03
        let hpkeSuite = Array("HPKE".utf8) + [0x00, 0x20, 0x00, 0x01, 0x00, aeadID]
        let pskIDHash = Self.labeledExtract(salt: [], label: "psk_id_hash", ikm: [], suiteID: hpkeSuite)
        let infoHash = Self.labeledExtract(salt: [], label: "info_hash", ikm: Array(info), suiteID: hpkeSuite)
        let context = [0x00] + pskIDHash + infoHash
        let secret = Self.labeledExtract(salt: sharedSecret, label: "secret", ikm: [], suiteID: hpkeSuite)
        let keyLength = suite == .aesGCM ? 16 : 32
        key = SymmetricKey(data: Self.labeledExpand(prk: secret, label: "key", info: context, length: keyLength, suiteID: hpkeSuite))
        baseNonce = Self.labeledExpand(prk: secret, label: "base_nonce", info: context, length: 12, suiteID: hpkeSuite)
    }

    /// Seals the first message of the context: ciphertext and tag.
    package func seal(_ plaintext: Data, authenticating aad: Data) throws -> Data {
        switch suite {
        case .aesGCM:
            let box = try AES.GCM.seal(plaintext, using: key, nonce: try AES.GCM.Nonce(data: baseNonce), authenticating: aad)
            return box.ciphertext + box.tag
        case .chachaPoly:
            let box = try ChaChaPoly.seal(plaintext, using: key, nonce: try ChaChaPoly.Nonce(data: baseNonce), authenticating: aad)
            return box.ciphertext + box.tag
        }
    }

    static func extract(salt: [UInt8], ikm: [UInt8]) -> [UInt8] {
        // HMAC pads a short key with zeros, so an empty salt is the RFC's string of zeros.
        Array(HMAC<SHA256>.authenticationCode(for: ikm, using: SymmetricKey(data: salt)))
    }

    static func labeledExtract(salt: [UInt8], label: String, ikm: [UInt8], suiteID: [UInt8]) -> [UInt8] {
        extract(salt: salt, ikm: Array("HPKE-v1".utf8) + suiteID + Array(label.utf8) + ikm)
    }

    /// HKDF-Expand for at most one block (every length here is ≤ 32).
    static func labeledExpand(prk: [UInt8], label: String, info: [UInt8], length: Int, suiteID: [UInt8]) -> [UInt8] {
        let labeled = [UInt8(length >> 8), UInt8(length & 0xff)] + Array("HPKE-v1".utf8) + suiteID + Array(label.utf8) + info
        return Array(Array(HMAC<SHA256>.authenticationCode(for: labeled + [0x01], using: SymmetricKey(data: prk))).prefix(length))
    }
}
