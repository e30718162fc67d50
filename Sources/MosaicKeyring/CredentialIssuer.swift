import Foundation
import MosaicCodebook
import MosaicFiles
import MosaicSeal
import MosaicStore

/// Issues schools' credential files (or forms) all or nothing (the authority's side).
///
/// Every file is written and flushed under a temporary name first, each claimed in the store's
/// journal; then every key is registered (and each school's earlier keys revoked) in one
/// transaction, which notes on the journal what each revoked; then the files get their names.
/// If a name cannot be given (a file took it meanwhile), every registration of the run is undone
/// (the new keys deleted, the earlier keys valid again) and every file of the run removed. A run
/// killed before the commit leaves nothing that counts; one killed after it is finished, or
/// undone as a whole, by the next command (`Recovery`).
public enum CredentialIssuer {
    /// Issues credentials for `school` into `path`.
    ///
    /// - Parameters:
    ///   - content: the file's bytes for the new credentials: by default the credential file;
    ///     the offline form passes its page (which carries the same keys).
    /// - Returns: the new credentials.
    @discardableResult
    public static func issue(
        school: String, to path: String, store: Store, keepOld: Bool = false, now: Date = Date(),
        content: (Credentials) throws -> Data = { try $0.fileData() }
    ) throws -> Credentials {
        guard let creds = try issueAll([(school, path)], store: store, keepOld: keepOld, now: now, content: content).first else {
            throw KeyError.unknownSchool(school)
        }
        return creds
    }

    /// Issues credentials for many schools, one file each, all or nothing: every path is checked
    /// first, every file written under a temporary name, every key registered in one
    /// transaction, then every file named; if one cannot be named, the whole run is undone.
    ///
    /// - Parameter progress: called after each file written, with the number done.
    /// - Returns: the credentials, in the order given.
    public static func issueAll(
        _ items: [(school: String, path: String)], store: Store, keepOld: Bool = false, now: Date = Date(),
        content: (Credentials) throws -> Data, progress: (Int) -> Void = { _ in }
    ) throws -> [Credentials] {
        try AtomicFile.check(items.map(\.path), forbidden: [store.path])
        guard let authority = try store.authorityPublicKey() else { throw IssueError.noAuthorityKey }
        let facts = try store.schoolFacts()
        for item in items where facts[item.school] == nil { throw KeyError.unknownSchool(item.school) }
        let token = UUID().uuidString
        let issued = items.map { (item: $0, creds: Credentials(schoolID: $0.school, authorityPublicKey: authority)) }
        let claims = issued.map { i -> PendingOutput in
            let final = AtomicFile.resolved(i.item.path)
            return PendingOutput(
                finalPath: final, temporaryPath: AtomicFile.temporaryPath(for: final), kind: .credentials, token: token,
                ref: i.creds.fingerprint, owner: .current, createdAt: Timestamp.utc(now), mode: 0o600)
        }
        try store.claim(claims)
        var revoked: [String: [String]] = [:]
        do {
            for (n, (i, claim)) in zip(issued, claims).enumerated() {
                try AtomicFile.writeTemporary(try content(i.creds), at: claim.temporaryPath, for: i.item.path)
                progress(n + 1)
            }
            revoked = try store.registerKeys(
                issued.map { ($0.item.school, $0.creds.publicKey, $0.creds.fingerprint) }, origin: "issued", rotate: !keepOld, at: now,
                pendingToken: token)
        } catch {
            for c in claims { AtomicFile.remove(c.temporaryPath) }
            try? store.release(token: token)
            throw error
        }
        var named: [String] = []
        do {
            for c in claims {
                try AtomicFile.publish(temporary: c.temporaryPath, to: c.finalPath, mode: 0o600)
                named.append(c.finalPath)
            }
        } catch {
            // All or none: the keys are unregistered (no school has its file) and the files removed.
            try? store.undoKeyRegistrations(issued.map { ($0.creds.fingerprint, revoked[$0.creds.fingerprint] ?? []) })
            for p in named { AtomicFile.remove(p) }
            for c in claims { AtomicFile.remove(c.temporaryPath) }
            try? store.release(token: token)
            throw error
        }
        try? store.release(token: token)
        return issued.map(\.creds)
    }

    /// Creates the authority's key pair all or nothing: both files written under temporary
    /// names and claimed in the store's journal, the public key recorded in the store (refused
    /// when it has one), then both files named. A run killed before the store records the key
    /// leaves nothing that counts; one killed after is finished by the next command.
    ///
    /// - Returns: the new key.
    public static func createAuthorityKey(at path: String, store: Store, now: Date = Date()) throws -> AuthorityKey {
        let pub = path + ".pub"
        try AtomicFile.check([path, pub], forbidden: [store.path])
        if let existing = try store.authorityPublicKey() { throw IssueError.authorityKeyExists(fingerprint(of: existing)) }
        let key = AuthorityKey()
        let token = UUID().uuidString
        let claims = [(path, 0o600 as mode_t), (pub, 0o644 as mode_t)].map { p, mode -> PendingOutput in
            let final = AtomicFile.resolved(p)
            return PendingOutput(
                finalPath: final, temporaryPath: AtomicFile.temporaryPath(for: final), kind: .authorityKey, token: token,
                ref: key.publicKey.base64EncodedString(), owner: .current, createdAt: Timestamp.utc(now), mode: mode)
        }
        try store.claim(claims)
        do {
            try AtomicFile.writeTemporary(try key.fileData(), at: claims[0].temporaryPath, for: path)
            try AtomicFile.writeTemporary(try key.publicFileData(), at: claims[1].temporaryPath, for: pub)
            guard try store.setFirstAuthorityPublicKey(key.publicKey) else {
                throw IssueError.authorityKeyExists(fingerprint(of: try store.authorityPublicKey() ?? Data()))
            }
        } catch {
            for c in claims { AtomicFile.remove(c.temporaryPath) }
            try? store.release(token: token)
            throw error
        }
        // Recorded: name both files. A name taken meanwhile keeps the private key under its
        // temporary name and says so (the store already trusts this key).
        for c in claims {
            do { try AtomicFile.publish(temporary: c.temporaryPath, to: c.finalPath, mode: c.mode) } catch {
                throw IssueError.keyFileNotNamed(c.finalPath, c.temporaryPath)
            }
        }
        try? store.release(token: token)
        return key
    }

    /// Why credentials were not issued.
    public enum IssueError: Error, LocalizedError, Equatable {
        case noAuthorityKey
        /// The store has an authority key already (its fingerprint).
        case authorityKeyExists(String)
        /// The key is recorded but its file could not be named: (final path, where it is).
        case keyFileNotNamed(String, String)
        /// A message for people: what went wrong and, where it helps, what to do.
        public var errorDescription: String? {
            switch self {
            case .noAuthorityKey: return "no authority key yet: run 'mosaic keys init' first"
            case .authorityKeyExists(let f): return "the store already has an authority key (fingerprint \(f)); keep using it"
            case .keyFileNotNamed(let path, let temporary):
                return
                    "\(path): a file took this name while the key was made; the store records the new key, whose file is kept as \(temporary): move it to the name you want"
            }
        }
    }
}
