import Foundation
import GRDB
import MosaicFiles
import MosaicReleaseFile
import MosaicStore

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
                for o in outputs { AtomicFile.remove(o.temporaryPath) }
                let what = first.kind == .release ? "a release" : "credentials"
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

    static func finish(_ outputs: [PendingOutput], store: Store) throws -> [Note] {
        var notes: [Note] = []
        guard let first = outputs.first, let ref = first.ref else { return [] }
        var lost: [PendingOutput] = []
        for o in outputs {
            let hasTemp = FileManager.default.fileExists(atPath: o.temporaryPath)
            if hasTemp {
                do {
                    try AtomicFile.publish(temporary: o.temporaryPath, to: o.finalPath)
                } catch {
                    AtomicFile.remove(o.temporaryPath)
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
                            "finished issuing credentials \(outputs.map(\.finalPath).joined(separator: ", ")) (key \(ref)), interrupted after the key was registered",
                        needsAttention: false))
            } else {
                // The private key is gone with its file: the key can never be used, so revoke it.
                if let key = try store.key(fingerprint: ref) { try store.revokeKeys(school: key.schoolID, fingerprint: ref) }
                notes.append(
                    Note(
                        text:
                            "the credential file \(lost.map(\.finalPath).joined(separator: ", ")) could not be finished; its key \(ref) is revoked: issue new credentials",
                        needsAttention: true))
            }
        }
        return notes
    }
}
