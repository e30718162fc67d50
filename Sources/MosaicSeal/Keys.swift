import Crypto
import Foundation
import MosaicFiles

/// A key's short public identifier: the first 8 bytes of the SHA-256 of its raw public key, in hex.
public func fingerprint(of publicKey: Data) -> String {
    SealedPackage.hex(SHA256.hash(data: publicKey).prefix(8))
}

/// The authority's key pair for receiving packages (X25519, for HPKE).
///
/// The private key lives in a file of mode 0600 and is never printed; the public key is shared
/// with schools inside their credential files.
public struct AuthorityKey {
    /// The authority's X25519 private key (never printed).
    public let privateKey: Curve25519.KeyAgreement.PrivateKey
    /// The raw public key.
    public var publicKey: Data { privateKey.publicKey.rawRepresentation }
    /// The key's fingerprint (16 hex digits).
    public var fingerprint: String { MosaicSeal.fingerprint(of: publicKey) }

    /// An authority key, new unless one is given.
    public init(privateKey: Curve25519.KeyAgreement.PrivateKey = .init()) { self.privateKey = privateKey }

    /// Writes the private key file (mode 0600) and, beside it, `<name>.pub` with the public key,
    /// both or neither. Refuses to overwrite.
    public func write(to path: String, forbidden: [String] = []) throws {
        try AtomicFile.writeAll(
            [(path, try fileData())], mode: 0o600, forbidden: forbidden, alongside: [(path + ".pub", try publicFileData(), 0o644)])
    }

    /// The private key file's bytes (keep them at mode 0600).
    public func fileData() throws -> Data {
        try JSONSerialization.data(
            withJSONObject: [
                "format": "mosaic-authority-key", "version": 1, "private_key": privateKey.rawRepresentation.base64EncodedString(),
            ], options: [.sortedKeys, .prettyPrinted])
    }

    /// The public key file's bytes (`.pub`).
    public func publicFileData() throws -> Data {
        try JSONSerialization.data(
            withJSONObject: [
                "format": "mosaic-authority-public-key", "version": 1, "public_key": publicKey.base64EncodedString(),
                "fingerprint": fingerprint,
            ], options: [.sortedKeys, .prettyPrinted])
    }

    /// Reads a private key file.
    public static func read(from path: String) throws -> AuthorityKey {
        guard let data = FileManager.default.contents(atPath: path) else { throw SealError.missingKey(path) }
        guard let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            json["format"] as? String == "mosaic-authority-key",
            let b64 = json["private_key"] as? String, let raw = Data(base64Encoded: b64),
            let key = try? Curve25519.KeyAgreement.PrivateKey(rawRepresentation: raw)
        else { throw SealError.malformedFile(path, "not a Mosaic authority key file") }
        return AuthorityKey(privateKey: key)
    }

    /// Reads an authority public key file (`.pub`).
    public static func readPublic(from path: String) throws -> Data {
        guard let data = FileManager.default.contents(atPath: path) else { throw SealError.missingKey(path) }
        guard let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            json["format"] as? String == "mosaic-authority-public-key",
            let b64 = json["public_key"] as? String, let raw = Data(base64Encoded: b64), raw.count == 32
        else { throw SealError.malformedFile(path, "not a Mosaic authority public key file") }
        return raw
    }
}

/// What a school needs to seal: its id, its signing key (Ed25519) and the authority's public key.
///
/// Kept in a file of mode 0600 at the school. The authority keeps only the public half.
public struct Credentials {
    /// The school's id in the registry.
    public let schoolID: String
    /// The school's Ed25519 signing key (never printed).
    public let signingKey: Curve25519.Signing.PrivateKey
    /// The authority's X25519 public key (raw, 32 bytes).
    public let authorityPublicKey: Data

    /// Credentials for `schoolID` with a signing key (new unless given) and the authority's public key.
    public init(schoolID: String, signingKey: Curve25519.Signing.PrivateKey = .init(), authorityPublicKey: Data) {
        self.schoolID = schoolID
        self.signingKey = signingKey
        self.authorityPublicKey = authorityPublicKey
    }

    /// The raw public key.
    public var publicKey: Data { signingKey.publicKey.rawRepresentation }
    /// The key's fingerprint (16 hex digits).
    public var fingerprint: String { MosaicSeal.fingerprint(of: publicKey) }

    /// The credential file's bytes (a secret: write it with mode 0600).
    public func fileData() throws -> Data {
        try JSONSerialization.data(
            withJSONObject: [
                "format": "mosaic-credentials", "version": 1, "school_id": schoolID,
                "signing_key": signingKey.rawRepresentation.base64EncodedString(),
                "signing_key_fingerprint": fingerprint,
                "authority_public_key": authorityPublicKey.base64EncodedString(),
                "authority_fingerprint": MosaicSeal.fingerprint(of: authorityPublicKey),
            ], options: [.sortedKeys, .prettyPrinted])
    }

    /// The school's public key file's bytes, for an authority to register.
    public func publicFileData() throws -> Data {
        try JSONSerialization.data(
            withJSONObject: [
                "format": "mosaic-school-public-key", "version": 1, "school_id": schoolID,
                "public_key": publicKey.base64EncodedString(), "fingerprint": fingerprint,
            ], options: [.sortedKeys, .prettyPrinted])
    }

    /// Writes the credential file (mode 0600) all or nothing; refuses to overwrite.
    public func write(to path: String) throws {
        try AtomicFile.write(try fileData(), to: path, mode: 0o600)
    }

    /// Writes the credential file (mode 0600) and the public key file beside it, both or neither.
    public func writeWithPublic(to path: String, publicPath: String) throws {
        try AtomicFile.writeAll([(path, try fileData())], mode: 0o600, alongside: [(publicPath, try publicFileData(), 0o644)])
    }

    /// Writes the school's public key file, for an authority to register.
    public func writePublic(to path: String) throws {
        try AtomicFile.write(try publicFileData(), to: path)
    }

    /// Reads a credential file.
    public static func read(from path: String) throws -> Credentials {
        guard let data = FileManager.default.contents(atPath: path) else { throw SealError.missingKey(path) }
        guard let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any], json["format"] as? String == "mosaic-credentials",
            let school = json["school_id"] as? String, let sk = (json["signing_key"] as? String).flatMap({ Data(base64Encoded: $0) }),
            let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: sk),
            let ak = (json["authority_public_key"] as? String).flatMap({ Data(base64Encoded: $0) }), ak.count == 32
        else { throw SealError.malformedFile(path, "not a Mosaic credential file") }
        return Credentials(schoolID: school, signingKey: key, authorityPublicKey: ak)
    }

    /// Reads a school's public key file: (school id, public key).
    public static func readPublic(from path: String) throws -> (schoolID: String, publicKey: Data) {
        guard let data = FileManager.default.contents(atPath: path) else { throw SealError.missingKey(path) }
        guard let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            json["format"] as? String == "mosaic-school-public-key",
            let school = json["school_id"] as? String, let pk = (json["public_key"] as? String).flatMap({ Data(base64Encoded: $0) }),
            pk.count == 32,
            (try? Curve25519.Signing.PublicKey(rawRepresentation: pk)) != nil
        else { throw SealError.malformedFile(path, "not a Mosaic school public key file") }
        return (school, pk)
    }
}

/// Errors of keys, credentials and packages. Messages name files, never key material.
public enum SealError: Error, LocalizedError, Equatable {
    case fileExists(String)
    case cannotWrite(String)
    case missingKey(String)
    case malformedFile(String, String)
    case tooLarge(String)

    /// A message for people: what went wrong and, where it helps, what to do.
    public var errorDescription: String? {
        switch self {
        case .fileExists(let p): return "\(p): a file is already there; keys and packages are never overwritten"
        case .cannotWrite(let p): return "\(p): cannot be written"
        case .missingKey(let p): return "\(p): cannot be read"
        case .malformedFile(let p, let why): return "\(p): \(why)"
        case .tooLarge(let p): return "\(p): the counts do not fit in a package"
        }
    }
}
