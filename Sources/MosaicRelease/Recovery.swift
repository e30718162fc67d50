import Foundation
import GRDB
import MosaicFiles
import MosaicReleaseFile
import MosaicStore

#if canImport(Glibc)
    import Glibc
#endif

/// Finishes or undoes what a killed command left: the files claimed in the store's
/// pending-output journal.
///
/// For each command run whose process is gone: if what it wrote was committed (the release or
/// the key exists), its files get their final names (a release whose temporary file is lost is
/// written again from the store, with the same numbers); if not, its temporary files are
/// removed. Either way the journal forgets it, and each action is said in a ``RecoveryNote``.
public enum Recovery {
    /// One thing recovery did or could not do.
    public struct Note: Sendable, Equatable, CustomStringConvertible {
        /// The text.
        public var text: String
        /// True when something needs the user (a file could not be finished).
        public var needsAttention: Bool
        /// A readable form, for messages.
        public var description: String { text }
    }

    /// Runs recovery on every pending command run whose process is gone.
    public static func run(store: Store) throws -> [Note] {
        var notes: [Note] = []
        let pending = try store.pendingOutputs()
        var byToken: [String: [PendingOutput]] = [:]
        var order: [String] = []
        for p in pending {
            if byToken[p.token] == nil { order.append(p.token) }
            byToken[p.token, default: []].append(p)
        }
        for token in order {
            guard let outputs = byToken[token], let first = outputs.first else { continue }
            guard !first.owner.isAlive || first.owner == ProcessIdentity.current else { continue }
            if try store.isCommitted(first) {
                let finished = try finish(outputs, store: store)
                notes += finished
                // A release whose files could not be written stays in the journal: every command
                // says so, and `release create` of its quarter refuses, until `release export`.
                if finished.contains(where: \.needsAttention), first.kind == .release { continue }
            } else {
                for o in outputs where Recovery.isOwnTemporary(o) { AtomicFile.remove(o.temporaryPath) }
                let what =
                    ["release": "a release", "credentials": "credentials", "authority_key": "the authority's key"][first.kind.rawValue]
                    ?? "files"
                notes.append(
                    Note(
                        text:
                            "cleaned up an interrupted attempt to write \(what) (\(outputs.map(\.finalPath).joined(separator: ", "))): nothing had been recorded or spent",
                        needsAttention: false))
            }
            try store.release(token: token)
        }
        return notes
    }

    /// True when a journal entry names a temporary file Mosaic made for its final name: in the
    /// same folder, named by the temporary-name pattern, a regular file of this user.
    static func isOwnTemporary(_ o: PendingOutput) -> Bool {
        guard AtomicFile.folderOf(o.temporaryPath) == AtomicFile.folderOf(o.finalPath),
            AtomicFile.isTemporaryName(AtomicFile.nameOf(o.temporaryPath), of: AtomicFile.nameOf(o.finalPath))
        else { return false }
        var s = stat()
        return lstat(o.temporaryPath, &s) == 0 && (s.st_mode & S_IFMT) == S_IFREG && s.st_uid == getuid()
    }

    /// A short list of files for a note (the first three, then how many more).
    static func summary(_ outputs: [PendingOutput]) -> String {
        let names = outputs.prefix(3).map(\.finalPath).joined(separator: ", ")
        return outputs.count > 3 ? names + " and \(outputs.count - 3) more" : names
    }

    static func finish(_ outputs: [PendingOutput], store: Store) throws -> [Note] {
        var notes: [Note] = []
        guard let first = outputs.first, let ref = first.ref else { return [] }
        var lost: [PendingOutput] = []
        var named: [PendingOutput] = []
        for o in outputs {
            let hasTemp = FileManager.default.fileExists(atPath: o.temporaryPath)
            if hasTemp && first.kind == .release {
                // A release's files are written after its commit: a temporary may be cut short by
                // the kill, so it is never named; the file is written again from the store.
                if Recovery.isOwnTemporary(o) { AtomicFile.remove(o.temporaryPath) }
                lost.append(o)
            } else if hasTemp && Recovery.isOwnTemporary(o) {
                do {
                    try AtomicFile.publish(temporary: o.temporaryPath, to: o.finalPath, mode: o.mode)
                    named.append(o)
                } catch {
                    // The authority's private key is never deleted: it stays under its temporary name.
                    if first.kind != .authorityKey { AtomicFile.remove(o.temporaryPath) }
                    lost.append(o)
                }
            } else if !FileManager.default.fileExists(atPath: o.finalPath) {
                lost.append(o)
            }
        }
        switch first.kind {
        case .release:
            // Files whose temporary copy is gone are written again from the store (same numbers).
            var stillLost: [PendingOutput] = []
            if !lost.isEmpty, let data = try? Releaser(store: store).data(ofRelease: ref) {
                for o in lost {
                    let csv = ReleaseFile.csvFiles(data, folder: AtomicFile.folderOf(o.finalPath)).first { $0.path == o.finalPath }
                    do {
                        if let csv { try AtomicFile.write(csv.data, to: o.finalPath) } else { try ReleaseFile.write(data, to: o.finalPath) }
                    } catch { stillLost.append(o) }
                }
            } else {
                stillLost = lost
            }
            if stillLost.isEmpty {
                notes.append(
                    Note(
                        text:
                            "finished release \(ref), interrupted after it was recorded: wrote \(outputs.map(\.finalPath).joined(separator: ", "))",
                        needsAttention: false))
            } else {
                notes.append(
                    Note(
                        text:
                            "release \(ref) is recorded, but \(stillLost.map(\.finalPath).joined(separator: ", ")) could not be written (a file is there, or its folder is gone or cannot be written): write it with 'mosaic release export \(ref) --out FILE' (no new budget); until then no new release of its quarter can be made",
                        needsAttention: true))
            }
        case .credentials:
            if lost.isEmpty {
                notes.append(
                    Note(
                        text:
                            "finished issuing \(outputs.count) credential file\(outputs.count == 1 ? "" : "s") (\(summary(outputs))), interrupted after the keys were registered",
                        needsAttention: false))
            } else {
                // All or none: a file that cannot be finished undoes the whole run (its keys were
                // never handed to anyone), and the earlier keys are valid again.
                try store.undoKeyRegistrations(outputs.compactMap { o in o.ref.map { ($0, o.revoked) } })
                for o in named { AtomicFile.remove(o.finalPath) }
                notes.append(
                    Note(
                        text:
                            "an interrupted credential run could not be finished (\(summary(lost)): a file is there, or its folder is gone): it is undone, the schools' earlier keys are valid again; issue the credentials again",
                        needsAttention: true))
            }
        case .authorityKey:
            if lost.isEmpty {
                notes.append(
                    Note(
                        text: "finished creating the authority's key (\(summary(outputs))), interrupted after the store recorded it",
                        needsAttention: false))
            } else {
                notes.append(
                    Note(
                        text:
                            "the authority's key is recorded in the store, but \(summary(lost)) could not be named (a file is there): its content is kept under \(lost.map(\.temporaryPath).joined(separator: ", ")); move it to the name you want",
                        needsAttention: true))
            }
        }
        return notes
    }
}
