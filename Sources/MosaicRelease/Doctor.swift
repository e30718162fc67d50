import Foundation
import MosaicFiles
import MosaicStore

#if canImport(Glibc)
    import Glibc
#endif

/// `mosaic doctor`: checks the store and finishes or cleans up what interrupted commands left.
public enum Doctor {
    /// What the doctor found and did.
    public struct Report: Sendable {
        /// SQLite integrity and foreign-key problems (empty when sound).
        public var integrityProblems: [String] = []
        /// What recovery finished or undid.
        public var recovered: [Recovery.Note] = []
        /// Commands still at work (their files are left alone).
        public var inProgress: [String] = []
        /// Temporary files no command claims, removed (or listed, with `fix` off).
        public var orphans: [String] = []
        /// True when the store's file mode is wider than 0600 (it was narrowed).
        public var modeFixed = false

        /// True when nothing needs the user.
        public var isHealthy: Bool { integrityProblems.isEmpty && !recovered.contains(where: \.needsAttention) }
    }

    /// Checks the store and the folders in `scan` (the store's own folder always).
    ///
    /// - Parameters:
    ///   - fix: remove orphaned temporary files (older than `minimumAge` seconds, so that a
    ///     command writing right now is not disturbed).
    public static func run(store: Store, scan: [String] = [], fix: Bool = true, minimumAge: TimeInterval = 60, now: Date = Date()) throws
        -> Report
    {
        var report = Report()
        report.integrityProblems = try store.integrityProblems()
        report.recovered = try Recovery.run(store: store)
        let pending = try store.pendingOutputs()
        report.inProgress = pending.filter { $0.owner.isAlive && $0.owner != ProcessIdentity.current }
            .map { "\($0.finalPath) (being written by process \($0.owner.pid))" }
        let claimed = Set(pending.map(\.temporaryPath))
        let fm = FileManager.default
        var folders = [AtomicFile.folderOf(store.path)] + scan
        folders = Array(Set(folders.map { AtomicFile.resolved($0 + "/x") }.map { AtomicFile.folderOf($0) })).sorted()
        for note in WriteJournal.recover() { report.recovered.append(Recovery.Note(text: note, needsAttention: false)) }
        for folder in folders {
            guard let names = try? fm.contentsOfDirectory(atPath: folder) else { continue }
            for name in names.sorted() where AtomicFile.isExactTemporaryName(name) {
                let path = (folder as NSString).appendingPathComponent(name)
                guard !claimed.contains(path) else { continue }
                // Only Mosaic's own leftovers: regular files of this user (never a link, a folder or another's file).
                var s = stat()
                guard lstat(path, &s) == 0, (s.st_mode & S_IFMT) == S_IFREG, s.st_uid == getuid(), s.st_nlink == 1 else { continue }
                let modified = (try? fm.attributesOfItem(atPath: path)[.modificationDate] as? Date) ?? now
                guard now.timeIntervalSince(modified) >= minimumAge else { continue }
                report.orphans.append(path)
                if fix { try? fm.removeItem(atPath: path) }
            }
        }
        if let mode = (try? fm.attributesOfItem(atPath: store.path)[.posixPermissions] as? NSNumber)?.intValue, mode & 0o077 != 0 {
            try? fm.setAttributes([.posixPermissions: 0o600], ofItemAtPath: store.path)
            report.modeFixed = true
        }
        return report
    }
}
