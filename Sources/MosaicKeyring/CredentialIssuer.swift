import Foundation
import MosaicCodebook
import MosaicFiles
import MosaicSeal
import MosaicStore

/// Issues a school's credential file all or nothing (the authority's side).
///
/// The file is written under a temporary name first; the key is registered (and the school's
/// earlier keys revoked) in one transaction; then the file gets its name. If the name was taken
/// meanwhile, the registration is undone: the earlier keys are valid again. A run killed after
/// the registration is finished by the next command (`Recovery`).
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
        try AtomicFile.check([path], forbidden: [store.path])
        guard let authority = try store.authorityPublicKey() else { throw IssueError.noAuthorityKey }
        guard try store.schoolFacts()[school] != nil else { throw KeyError.unknownSchool(school) }
        let creds = Credentials(schoolID: school, authorityPublicKey: authority)
        let final = AtomicFile.resolved(path)
        let token = UUID().uuidString
        let claim = PendingOutput(
            finalPath: final, temporaryPath: AtomicFile.temporaryPath(for: final), kind: .credentials, token: token,
            ref: creds.fingerprint, owner: .current, createdAt: Timestamp.utc(now))
        try store.claim([claim])
        var revoked: [String] = []
        do {
            try AtomicFile.writeTemporary(try content(creds), at: claim.temporaryPath, for: path)
            revoked = try store.registerKey(
                school: school, publicKey: creds.publicKey, fingerprint: creds.fingerprint, origin: "issued",
                rotate: !keepOld, at: now)
        } catch {
            AtomicFile.remove(claim.temporaryPath)
            try? store.release(token: token)
            throw error
        }
        do {
            try AtomicFile.publish(temporary: claim.temporaryPath, to: final, mode: 0o600)
        } catch {
            try? store.undoKeyRegistration(fingerprint: creds.fingerprint, unrevoke: revoked)
            AtomicFile.remove(claim.temporaryPath)
            try? store.release(token: token)
            throw error
        }
        try? store.release(token: token)
        return creds
    }

    /// Issues credentials for many schools, one file each, all or nothing: every path is checked
    /// first, and if one cannot be issued, those issued before it are undone (their files removed,
    /// their keys unregistered, the keys they revoked valid again). A run killed midway leaves
    /// each school either fully issued or untouched (recovery finishes or cleans up each).
    ///
    /// - Parameter progress: called after each school with the number done.
    /// - Returns: the credentials, in the order given.
    public static func issueAll(
        _ items: [(school: String, path: String)], store: Store, keepOld: Bool = false, now: Date = Date(),
        content: (Credentials) throws -> Data, progress: (Int) -> Void = { _ in }
    ) throws -> [Credentials] {
        try AtomicFile.check(items.map(\.path), forbidden: [store.path])
        var done: [(creds: Credentials, path: String, revoked: [String])] = []
        do {
            for item in items {
                var revoked: [String] = []
                let before = try store.keys(school: item.school).filter(\.isActive).map(\.fingerprint)
                let creds = try issue(school: item.school, to: item.path, store: store, keepOld: keepOld, now: now, content: content)
                if !keepOld { revoked = before }
                done.append((creds, item.path, revoked))
                progress(done.count)
            }
        } catch {
            for d in done.reversed() {
                _ = AtomicFile.remove(AtomicFile.resolved(d.path))
                try? store.undoKeyRegistration(fingerprint: d.creds.fingerprint, unrevoke: d.revoked)
            }
            throw error
        }
        return done.map(\.creds)
    }

    /// Why credentials were not issued.
    public enum IssueError: Error, LocalizedError, Equatable {
        case noAuthorityKey
        /// A message for people: what went wrong and, where it helps, what to do.
        public var errorDescription: String? { "no authority key yet: run 'mosaic keys init' first" }
    }
}
